import StandIn
print("standin")
