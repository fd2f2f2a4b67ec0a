"""The patcher's conformance table: for each action and edge case, a fixture, the frame the server sends, and
the fixture afterwards. Shared by the test of Quarry's patcher and the test of stock Turbo on the same socket."""
from pageserver import stream

LIST = '<ul id="list"><li id="a">A</li><li id="b">B</li></ul>'
BOXES = '<div id="boxes"><p class="box" id="x">x</p><p class="box" id="y">y</p></div>'

# (name, fixture, frame, expected fixture, stock Turbo 7.1 agrees)
CASES = [
    ("append by target", LIST, stream("append", "list", '<li id="c">C</li>'),
     '<ul id="list"><li id="a">A</li><li id="b">B</li><li id="c">C</li></ul>', True),
    ("append moves a duplicate to the end", LIST, stream("append", "list", '<li id="a">A2</li>'),
     '<ul id="list"><li id="b">B</li><li id="a">A2</li></ul>', True),
    ("prepend by target", LIST, stream("prepend", "list", '<li id="c">C</li>'),
     '<ul id="list"><li id="c">C</li><li id="a">A</li><li id="b">B</li></ul>', True),
    ("prepend moves a duplicate to the start", LIST, stream("prepend", "list", '<li id="b">B2</li>'),
     '<ul id="list"><li id="b">B2</li><li id="a">A</li></ul>', True),
    ("append without ids keeps everything", LIST, stream("append", "list", "<li>D</li><li>E</li>"),
     '<ul id="list"><li id="a">A</li><li id="b">B</li><li>D</li><li>E</li></ul>', True),
    ("replace swaps the element", LIST, stream("replace", "b", '<li id="b2">B2</li>'),
     '<ul id="list"><li id="a">A</li><li id="b2">B2</li></ul>', True),
    ("update replaces the children", LIST, stream("update", "list", "<li>only</li>"),
     '<ul id="list"><li>only</li></ul>', True),
    ("update with text", LIST, stream("update", "a", "Å &amp; <b>bold</b>"),
     '<ul id="list"><li id="a">Å &amp; <b>bold</b></li><li id="b">B</li></ul>', True),
    ("remove needs no template", LIST, stream("remove", "a"),
     '<ul id="list"><li id="b">B</li></ul>', True),
    ("before inserts before the target", LIST, stream("before", "b", '<li id="c">C</li>'),
     '<ul id="list"><li id="a">A</li><li id="c">C</li><li id="b">B</li></ul>', True),
    ("after inserts after the target", LIST, stream("after", "a", '<li id="c">C</li>'),
     '<ul id="list"><li id="a">A</li><li id="c">C</li><li id="b">B</li></ul>', True),
    ("before moves a duplicate sibling", LIST, stream("before", "a", '<li id="b">B2</li>'),
     '<ul id="list"><li id="b">B2</li><li id="a">A</li></ul>', False),
    ("after whose template carries the target's id inserts nothing", LIST, stream("after", "a", '<li id="a">A2</li>'),
     '<ul id="list"><li id="b">B</li></ul>', False),
    ("targets applies to every match, a copy each", BOXES, stream("update", targets="#boxes .box", html="<i>new</i>"),
     '<div id="boxes"><p class="box" id="x"><i>new</i></p><p class="box" id="y"><i>new</i></p></div>', True),
    ("targets append to every match", BOXES, stream("append", targets=".box", html="<b>+</b>"),
     '<div id="boxes"><p class="box" id="x">x<b>+</b></p><p class="box" id="y">y<b>+</b></p></div>', True),
    ("targets remove every match", BOXES, stream("remove", targets=".box"), '<div id="boxes"></div>', True),
    ("a missing target changes nothing", LIST, stream("append", "nowhere", "<li>lost</li>"), LIST, True),
    ("targets matching nothing change nothing", LIST, stream("remove", targets=".nothing"), LIST, True),
    ("several envelopes in one frame apply in order", LIST,
     stream("append", "list", '<li id="c">C</li>') + stream("remove", "a") + stream("update", "c", "C2"),
     '<ul id="list"><li id="b">B</li><li id="c">C2</li></ul>', True),
    ("a malformed envelope is skipped and the next applies", LIST,
     stream("explode", "list", "<li>no</li>") + stream("append", None, "<li>no</li>")
     + '<turbo-stream action="append" target="list"><div>not a template</div></turbo-stream>'
     + stream("append", "list", '<li id="c">C</li>'),
     '<ul id="list"><li id="a">A</li><li id="b">B</li><li id="c">C</li></ul>', True),
    ("method=morph falls back to replace", LIST, stream("replace", "a", '<li id="a">A2</li>', extra=' method="morph"'),
     '<ul id="list"><li id="a">A2</li><li id="b">B</li></ul>', True),
]
