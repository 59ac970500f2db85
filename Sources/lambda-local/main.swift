print("lambda-local")
