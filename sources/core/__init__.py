"""What every vendor's dlt source shares: keeping `tasks` equal to the vendor (`current_state`)."""
