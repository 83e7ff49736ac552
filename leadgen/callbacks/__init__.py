""" "Call me back": a visitor leaves a phone number and the best time, staff call them."""
