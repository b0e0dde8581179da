"""What a payer's 271 means for a patient: coverage, cost sharing, limits, rejections.

Import from the modules (``interpret``, ``render``, ``parts``, ``coordination``): this package
loads none of them, so a function that only renders stored benefits (the liaison API) does not
load the 271 reader and the X12 engine behind it."""
