"""Pages of the network, one module per topic: jobs, routes, RFQs, the network plan,
orders, my work, paperwork and the traveler's page, one-time links and job threads.
Views fetch the object of the URL, ask selectors for the page and services for writes."""
