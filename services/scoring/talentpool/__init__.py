"""The national talent pool: the talent-pool people of each agency's latest finalized review, filtered and ranked."""
