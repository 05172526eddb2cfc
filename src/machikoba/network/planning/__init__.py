"""The parts of a network plan (``network_plan``): the working-day axis, transport between
shops and price estimates from past quotes."""
