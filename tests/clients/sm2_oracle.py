"""A test oracle for ECDH on the SM2 curve (GB/T 32918.5 parameters), which pyca lacks: plain
affine point arithmetic in Python, and SubjectPublicKeyInfo encoding. Test code only; the server
uses the RustCrypto `sm2` crate."""

P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
A = P - 3
B = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93
N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123
G = (0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7,
     0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0)

# SEQUENCE { SEQUENCE { id-ecPublicKey, sm2 (1.2.156.10197.1.301) }, BIT STRING 04||x||y }
_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a811ccf5501822d034200")


def _add(p, q):
    if p is None:
        return q
    if q is None:
        return p
    if p[0] == q[0] and (p[1] + q[1]) % P == 0:
        return None
    if p == q:
        lam = (3 * p[0] * p[0] + A) * pow(2 * p[1], -1, P) % P
    else:
        lam = (q[1] - p[1]) * pow(q[0] - p[0], -1, P) % P
    x = (lam * lam - p[0] - q[0]) % P
    return x, (lam * (p[0] - x) - p[1]) % P


def mul(k, point):
    result = None
    while k:
        if k & 1:
            result = _add(result, point)
        point = _add(point, point)
        k >>= 1
    return result


def on_curve(point):
    x, y = point
    return (y * y - (x * x * x + A * x + B)) % P == 0


def spki(point):
    return _PREFIX + b"\x04" + point[0].to_bytes(32, "big") + point[1].to_bytes(32, "big")


def point_from_spki(der):
    assert der.startswith(_PREFIX) and len(der) == len(_PREFIX) + 65, der.hex()
    raw = der[len(_PREFIX) + 1:]
    point = (int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    assert on_curve(point)
    return point


assert on_curve(G) and mul(N, G) is None
