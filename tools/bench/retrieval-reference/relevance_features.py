"""Which passage features tell right passages from wrong ones (issue 12, item 4: a relevance figure that means
something). Exploration, not part of the benchmark run: ROC AUC of candidate figures over the first 8 passages of
each labelled question (pooled, within a list, and per document), then a logistic model on scale-free features
with 5-fold cross-validation by question and its calibration.

    find /usr/share/doc/python3.11/html -name '*.html' -not -path '*/_sources/*' | xargs quarry ingest --db /tmp/rel.db
    python3 tools/bench/retrieval-reference/relevance_features.py /tmp/rel.db tools/corpus/python-questions.json

Passages are ranked here by FTS5's bm25() with Quarry's weights (4, 2, 1) over every informative word, which is the
ranking LexicalSearch.swift reproduces."""
import json, sqlite3, math, re, sys
db = sqlite3.connect(sys.argv[1])
Q = json.load(open(sys.argv[2]))
root = '/usr/share/doc/python3.11/html/'
STOP = set("""a about above after again all am an and any are as at be because been before being below between both but by can could did do does doing down during each few for from further get got had has have having he her here hers him his how i if in into is it its itself just me might more most must my no nor not now of off on once only or other our ours out over own same she should so some such than that the their theirs them then there these they this those through to too under until up use using very want was way we were what when where which while who whom why will with would you your yours make tell know need there something thing things""".split())
N = db.execute("select count(*) from chunks").fetchone()[0]
def words(t): return re.findall(r'[a-z0-9]+', t.lower())
def fold(w):
    for s in ["ations","ation","ings","ing","ies","ied","es","ed","ly","s"]:
        if len(w) > len(s)+2 and w.endswith(s): return w[:-len(s)]
    return w
dfc = {}
def df(w):
    if w not in dfc: dfc[w] = db.execute("select count(*) from chunks_fts where chunks_fts match ?", ('"%s"'%w,)).fetchone()[0]
    return dfc[w]
def idf(w):
    c = df(w); return math.log((N-c+0.5)/(c+0.5)+1)
rows = []
for q in Q:
    ws = []
    for w in words(q['question']):
        if w in STOP or (len(w)==1 and w.isalpha()) or w in ws: continue
        ws.append(w)
    expr = " OR ".join('"%s"'%w for w in ws if df(w) > 0)
    if not expr: continue
    pages = set([q['page']] + q.get('alternatives', []))
    res = db.execute("""select c.id, d.path, d.title, c.heading_path, c.text, -bm25(chunks_fts, 4, 2, 1) s
        from chunks_fts f join chunks c on c.id=f.rowid join documents d on d.id=c.document_id
        where chunks_fts match ? order by bm25(chunks_fts,4,2,1) limit 50""", (expr,)).fetchall()
    allscores=[r[5] for r in res]; med=sorted(allscores)[len(allscores)//2]; mean=sum(allscores)/len(allscores); res=res[:8]; best=res[0][5]
    lst = []
    for (cid, path, title, hp, text, s) in res:
        right = path[len(root):] in pages
        body = set(fold(w) for w in words(text)); th = set(fold(w) for w in words(title + ' ' + hp))
        allw = body | th
        W = {fold(w): idf(w) for w in ws}; tot = sum(W.values())
        f = {}
        f['cov'] = sum(1 for w in W if w in allw)/len(W)
        f['wcov'] = sum(v for w,v in W.items() if w in allw)/tot
        f['wcov_title'] = sum(v for w,v in W.items() if w in th)/tot
        f['bm25'] = s
        f['bm25_norm'] = s / (tot * 7 * 2.2)
        # density: fraction of passage tokens that are query words, weighted
        toks = [fold(w) for w in words(text)]
        f['dens'] = sum(W.get(t,0) for t in toks)/max(1,len(toks))
        f['rel_med'] = (s-med)/(best-med) if best>med else 0
        f['over_mean'] = s/mean
        f['over_med'] = s/med
        f['mix2'] = f['wcov'] * min(1, (s/med - 1))
        f['mix'] = 0.5*f['wcov'] + 0.5*f['wcov_title']
        lst.append((right, f, path))
    rows.append(lst)

import math, random
def auc(items):
    r = [x for ok,x in items if ok]; w = [x for ok,x in items if not ok]
    if not r or not w: return None
    return sum((a>b) + 0.5*(a==b) for a in r for b in w)/(len(r)*len(w))
for k in rows[0][0][1].keys():
    pooled = auc([(ok, f[k]) for l in rows for ok, f, _ in l])
    each = [e for e in (auc([(ok, f[k]) for ok, f, _ in l]) for l in rows) if e is not None]
    docs = []
    for l in rows:
        dl = {}
        for ok, f, p in l:
            if p not in dl or f[k] > dl[p][1]: dl[p] = (ok, f[k])
        docs += list(dl.values())
    print("%-12s pooled %.3f within a list %.3f (%d lists) documents %.3f" % (k, pooled, sum(each) / len(each), len(each), auc(docs)))
def feats(f): return [math.log(max(f['over_med'],1e-9)), math.log(max(f['bm25_norm'],1e-9)), f['wcov_title'], 1.0]
def fit(data, iters=3000, lr=0.5, l2=0.01):
    w=[0.0]*4
    for _ in range(iters):
        g=[0.0]*4
        for ok,x in data:
            z=sum(a*b for a,b in zip(w,x)); p=1/(1+math.exp(-z))
            for j in range(4): g[j]+= (p-ok)*x[j]
        for j in range(4): w[j]-= lr*(g[j]/len(data) + l2*w[j]*(j<3))
    return w
data=[(ok, feats(f)) for l in rows for ok,f,_ in l]
w=fit(data); print("weights", [round(v,3) for v in w])
pred=lambda x: 1/(1+math.exp(-sum(a*b for a,b in zip(w,x))))
print("in-sample pooled AUC %.3f" % auc([(ok,pred(x)) for ok,x in data]))
# 5-fold CV by question
idx=list(range(len(rows))); random.seed(1); random.shuffle(idx)
cv=[]
for k in range(5):
    test=set(idx[k::5]); tr=[(ok,feats(f)) for i,l in enumerate(rows) if i not in test for ok,f,_ in l]
    wk=fit(tr)
    cv += [(ok, sum(a*b for a,b in zip(wk,feats(f)))) for i,l in enumerate(rows) if i in test for ok,f,_ in l]
print("5-fold CV pooled AUC %.3f" % auc(cv))
# calibration buckets
b={}
for ok,x in data:
    p=pred(x); k=min(9,int(p*10)); b.setdefault(k,[0,0]); b[k][0]+=ok; b[k][1]+=1
for k in sorted(b): print("pred %d0-%d0%%: %d/%d right = %.0f%%"%(k,k+1,b[k][0],b[k][1],100*b[k][0]/b[k][1]))
print("base rate", sum(ok for ok,_ in data)/len(data))
