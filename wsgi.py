from leadgen import create_app

app = create_app()
