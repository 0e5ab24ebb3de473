"""Apollo.io API facts shared by the source, the sink and nothing else: endpoints, enums, paging, lookups."""
