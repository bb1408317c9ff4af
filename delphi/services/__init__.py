"""The product's rules. Each public function here is one unit of work (see :func:`unit_of_work`)."""
