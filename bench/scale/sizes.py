"""The sizes, and the fingerprint that says which data a stored database holds (read before Django is set up)."""

GENERATOR_VERSION = 2  # bump when the generated rows change: a stored database of another version is loaded again
SEED = 13
SIZES = {"S": 20_000, "L": 500_000, "2m": 2_000_000}
FINGERPRINT_TABLE = "bench_scale_fingerprint"


def fingerprint(size: str) -> str:
    return f"generator={GENERATOR_VERSION} size={size} cases={SIZES[size]} seed={SEED}"
