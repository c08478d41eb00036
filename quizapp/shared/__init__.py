"""What features share without reaching into each other: form widgets, labels, assets, links.

A feature imports from here, from the engine and from the models, never from another feature.
"""
