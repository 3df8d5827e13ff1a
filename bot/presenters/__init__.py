"""What members see, as front-end-neutral cards within Discord's limits; each front end renders them."""
