print("tlsflow")
