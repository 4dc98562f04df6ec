"""The demo's data: staff, customers, SLA policies and the cases ``examples/demo_data.py`` loads.

Everything here is fictional: people, addresses (the made-up town of Anytown, postcode area AN),
``example.org`` email addresses and Ofcom's drama numbers (07700 900xxx).
"""
