//! PasswordDigest computation, with the HMAC key schedule done once per secret.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::{Digest as _, Sha256};

use super::secret::AppSecret;

/// Which form of the push URL enters the digest. The reference says "the URL the
/// customer set" without saying whether that is the plain URL or its Base64 form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PushUrlForm {
    /// The plain URL (`https://…`): the current reading.
    Plain,
    /// The Base64 form, as sent in `statusUrl`/`feeUrl`.
    Base64,
}

/// What joins url, nonce and created. Older editions of the reference joined them
/// without a separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PushSeparator {
    /// `"\n"`: the current reading (`url+"\n"+nonce+"\n"+created`).
    Newline,
    /// Nothing (older editions).
    None,
}

/// How a push digest is computed; the hash is HMAC-SHA256 in every variant
/// (erratum `push-digest-unspecified`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PushVariant {
    /// URL form.
    pub url: PushUrlForm,
    /// Separator.
    pub separator: PushSeparator,
}

impl PushVariant {
    /// The current reference's reading: plain URL, joined by `"\n"`.
    pub const CURRENT: PushVariant = PushVariant {
        url: PushUrlForm::Plain,
        separator: PushSeparator::Newline,
    };

    /// Every variant, the current reading first.
    pub const ALL: [PushVariant; 4] = [
        PushVariant::CURRENT,
        PushVariant {
            url: PushUrlForm::Base64,
            separator: PushSeparator::Newline,
        },
        PushVariant {
            url: PushUrlForm::Plain,
            separator: PushSeparator::None,
        },
        PushVariant {
            url: PushUrlForm::Base64,
            separator: PushSeparator::None,
        },
    ];
}

impl Default for PushVariant {
    fn default() -> Self {
        PushVariant::CURRENT
    }
}

/// Length of a PasswordDigest: an HMAC-SHA256 tag (32 bytes) in padded Base64.
pub(crate) const DIGEST_LEN: usize = 44;

/// An HMAC-SHA256 keyed with one app secret; the key schedule (two SHA-256 blocks) is
/// done once here, not on every digest.
#[derive(Clone)]
pub struct Signer {
    /// The keyed MAC, cloned for messages of any length.
    keyed: Hmac<Sha256>,
    /// The same key schedule as bare SHA-256 states, for one-block messages.
    states: KeyedStates,
}

/// SHA-256's initial state (FIPS 180-4 §5.3.3).
const SHA256_IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// HMAC-SHA256 (RFC 2104) reduced to its two SHA-256 states after the key blocks
/// `K ⊕ ipad` and `K ⊕ opad`. A message that fits in one block with its padding (at most
/// 55 bytes, as Nonce + Created does with the usual 32-character nonce) then costs
/// exactly two compressions and no buffering: [`KeyedStates::tag`]. Property tests
/// below prove it equal to the `hmac` crate's result.
#[derive(Clone)]
struct KeyedStates {
    inner: [u32; 8],
    outer: [u32; 8],
}

/// Longest message [`KeyedStates::tag`] takes: a block less the `0x80` byte and the
/// 64-bit length.
const ONE_BLOCK: usize = 64 - 1 - 8;

impl KeyedStates {
    fn new(key: &[u8]) -> Self {
        let mut k = [0u8; 64];
        if key.len() > 64 {
            k[..32].copy_from_slice(&Sha256::digest(key));
        } else {
            k[..key.len()].copy_from_slice(key);
        }
        let state_after = |pad: u8| {
            let mut state = SHA256_IV;
            compress(&mut state, &k.map(|b| b ^ pad));
            state
        };
        KeyedStates {
            inner: state_after(0x36),
            outer: state_after(0x5c),
        }
    }

    /// HMAC-SHA256 of `a ‖ b`, or `None` when that is longer than [`ONE_BLOCK`].
    fn tag(&self, a: &[u8], b: &[u8]) -> Option<[u8; 32]> {
        let n = a.len() + b.len();
        if n > ONE_BLOCK {
            return None;
        }
        let mut block = [0u8; 64];
        block[..a.len()].copy_from_slice(a);
        block[a.len()..n].copy_from_slice(b);
        block[n] = 0x80;
        block[56..].copy_from_slice(&((64 + n as u64) * 8).to_be_bytes());
        let mut inner = self.inner;
        compress(&mut inner, &block);
        let mut block = [0u8; 64];
        for (out, word) in block.chunks_exact_mut(4).zip(inner) {
            out.copy_from_slice(&word.to_be_bytes());
        }
        block[32] = 0x80;
        block[56..].copy_from_slice(&((64u64 + 32) * 8).to_be_bytes());
        let mut outer = self.outer;
        compress(&mut outer, &block);
        let mut tag = [0u8; 32];
        for (out, word) in tag.chunks_exact_mut(4).zip(outer) {
            out.copy_from_slice(&word.to_be_bytes());
        }
        Some(tag)
    }
}

/// One SHA-256 compression (the `sha2` crate's, with its run-time choice of SHA-NI), on
/// the block where it lies (a view, not a 64-byte copy).
fn compress(state: &mut [u32; 8], block: &[u8; 64]) {
    let block = sha2::digest::generic_array::GenericArray::from_slice(block);
    sha2::compress256(state, std::slice::from_ref(block));
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(***)")
    }
}

impl Signer {
    /// A signer for `secret`.
    pub fn new(secret: &AppSecret) -> Self {
        Signer {
            keyed: Hmac::<Sha256>::new_from_slice(secret.expose())
                .expect("HMAC takes keys of any length"),
            states: KeyedStates::new(secret.expose()),
        }
    }

    fn mac(&self, parts: &[&[u8]]) -> Hmac<Sha256> {
        let mut mac = self.keyed.clone();
        for p in parts {
            mac.update(p);
        }
        mac
    }

    fn request_tag(&self, nonce: &str, created: &str) -> [u8; 32] {
        let (nonce, created) = (nonce.as_bytes(), created.as_bytes());
        self.states
            .tag(nonce, created)
            .unwrap_or_else(|| self.mac(&[nonce, created]).finalize().into_bytes().into())
    }

    /// Request PasswordDigest: `Base64(HMAC-SHA256(secret, nonce + created))`.
    pub fn request_digest(&self, nonce: &str, created: &str) -> String {
        let mut buf = [0u8; DIGEST_LEN];
        self.request_digest_into(nonce, created, &mut buf)
            .to_string()
    }

    /// [`Signer::request_digest`] written into a stack buffer (no allocation).
    pub(crate) fn request_digest_into<'b>(
        &self,
        nonce: &str,
        created: &str,
        buf: &'b mut [u8; DIGEST_LEN],
    ) -> &'b str {
        encode(&self.request_tag(nonce, created), buf)
    }

    /// Push PasswordDigest for `url` in the given variant.
    pub fn push_digest(
        &self,
        url: &str,
        nonce: &str,
        created: &str,
        variant: PushVariant,
    ) -> String {
        let mut buf = [0u8; DIGEST_LEN];
        encode(&self.push_tag(url, nonce, created, variant), &mut buf).to_string()
    }

    fn push_tag(&self, url: &str, nonce: &str, created: &str, variant: PushVariant) -> [u8; 32] {
        let encoded;
        let url = match variant.url {
            PushUrlForm::Plain => url.as_bytes(),
            PushUrlForm::Base64 => {
                encoded = base64::engine::general_purpose::STANDARD.encode(url);
                encoded.as_bytes()
            }
        };
        let sep: &[u8] = match variant.separator {
            PushSeparator::Newline => b"\n",
            PushSeparator::None => b"",
        };
        self.mac(&[url, sep, nonce.as_bytes(), sep, created.as_bytes()])
            .finalize()
            .into_bytes()
            .into()
    }

    /// Whether `digest` (Base64) is the request digest, compared in constant time.
    pub fn verify_request(&self, nonce: &str, created: &str, digest: &str) -> bool {
        decode(digest).is_some_and(|d| tags_equal(&self.request_tag(nonce, created), &d))
    }

    /// Whether `digest` (Base64) is the push digest in `variant`, compared in constant time.
    pub fn verify_push(
        &self,
        url: &str,
        nonce: &str,
        created: &str,
        digest: &str,
        variant: PushVariant,
    ) -> bool {
        decode(digest).is_some_and(|d| tags_equal(&self.push_tag(url, nonce, created, variant), &d))
    }
}

/// Standard padded Base64 of a tag, into `buf`.
fn encode<'b>(tag: &[u8; 32], buf: &'b mut [u8; DIGEST_LEN]) -> &'b str {
    let n = base64::engine::general_purpose::STANDARD
        .encode_slice(tag, buf)
        .expect("44 bytes hold the Base64 of 32");
    debug_assert_eq!(n, DIGEST_LEN);
    std::str::from_utf8(buf).expect("Base64 is ASCII")
}

/// Value of each byte in the standard Base64 alphabet; `0xFF` for any other byte
/// (including `=`).
const BASE64_VALUES: [u8; 256] = {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut t = [0xFF; 256];
    let mut i = 0;
    while i < 64 {
        t[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// Decodes a Base64 digest into a stack array: `Some` exactly when `digest` is the
/// canonical padded Base64 of 32 bytes, i.e. what the `base64` crate's standard engine
/// decodes to 32 bytes (property tests below): 43 alphabet characters, the last with
/// its two unused bits clear, then `=`. Only the received, public digest is decoded
/// (table lookups are fine on it); the tag we compute is never encoded on the
/// verifying side, so no lookup depends on it.
fn decode(digest: &str) -> Option<[u8; 32]> {
    let d: &[u8; DIGEST_LEN] = digest.as_bytes().try_into().ok()?;
    let v = |i: usize| u64::from(BASE64_VALUES[usize::from(d[i])]);
    let mut invalid = 0u64;
    // Five groups of eight characters, 48 bits each; then 16 bits in three characters.
    let mut n = [0u64; 5];
    for (g, n) in n.iter_mut().enumerate() {
        for j in 0..8 {
            let x = v(8 * g + j);
            invalid |= x;
            *n = (*n << 6) | x;
        }
    }
    let (a, b, c) = (v(40), v(41), v(42));
    invalid |= a | b | c;
    if invalid & 0x80 != 0 || d[43] != b'=' || c & 0b11 != 0 {
        return None;
    }
    let last = (a << 10) | (b << 4) | (c >> 2);
    // The 256 bits as four 64-bit words, stored without overlap, as the comparison
    // reads them (the groups of six bytes written eight at a time, each store
    // overlapping the next, were a wait in every verification's profile: issue 16).
    let words = [
        n[0] << 16 | n[1] >> 32,
        n[1] << 32 | n[2] >> 16,
        n[2] << 48 | n[3],
        n[4] << 16 | last,
    ];
    let mut out = [0u8; 32];
    for (o, w) in out.chunks_exact_mut(8).zip(words) {
        o.copy_from_slice(&w.to_be_bytes());
    }
    Some(out)
}

/// Constant-time equality of two tags: four 64-bit words compared with `subtle`, no
/// early exit.
fn tags_equal(a: &[u8; 32], b: &[u8; 32]) -> bool {
    use subtle::ConstantTimeEq as _;
    let words = |t: &[u8; 32]| -> [u64; 4] {
        std::array::from_fn(|i| {
            u64::from_ne_bytes(t[8 * i..8 * i + 8].try_into().expect("8 bytes"))
        })
    };
    bool::from(words(a)[..].ct_eq(&words(b)[..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference_decode(d: &str) -> Option<Vec<u8>> {
        base64::engine::general_purpose::STANDARD.decode(d).ok()
    }

    #[test]
    fn tags_compare_equal_only_when_every_byte_is() {
        let a = [7u8; 32];
        assert!(tags_equal(&a, &a));
        for i in 0..32 {
            let mut b = a;
            b[i] ^= 1;
            assert!(!tags_equal(&a, &b));
        }
    }

    #[test]
    fn decode_agrees_with_base64_on_every_ascii_byte_anywhere() {
        let good = base64::engine::general_purpose::STANDARD.encode([0xA5u8; 32]);
        for at in 0..DIGEST_LEN {
            for c in 0u8..128 {
                let mut s = good.clone().into_bytes();
                s[at] = c;
                let s = String::from_utf8(s).expect("ASCII");
                let want = reference_decode(&s).and_then(|v| <[u8; 32]>::try_from(v).ok());
                assert_eq!(decode(&s), want, "{s}");
            }
        }
    }

    /// Two characters outside the alphabet anywhere (the same one twice too): refused.
    /// Marks of invalid characters add up; they never cancel out.
    #[test]
    fn decode_refuses_two_invalid_characters_anywhere() {
        let good = base64::engine::general_purpose::STANDARD.encode([0x5Au8; 32]);
        for i in 0..DIGEST_LEN - 1 {
            for j in i + 1..DIGEST_LEN - 1 {
                for (x, y) in [(b'!', b'!'), (b'!', b'.')] {
                    let mut s = good.clone().into_bytes();
                    s[i] = x;
                    s[j] = y;
                    let s = String::from_utf8(s).expect("ASCII");
                    assert_eq!(decode(&s), None, "{s}");
                }
            }
        }
    }

    fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key");
        mac.update(message);
        mac.finalize().into_bytes().into()
    }

    #[test]
    fn one_block_hmac_at_every_length_and_key_size() {
        let message: Vec<u8> = (0u8..=ONE_BLOCK as u8).collect();
        for key_len in [0, 1, 10, 32, 63, 64, 65, 100, 200] {
            let key: Vec<u8> = (0..key_len).map(|i| (i * 7 + 3) as u8).collect();
            let states = KeyedStates::new(&key);
            for n in 0..=ONE_BLOCK {
                let (a, b) = message[..n].split_at(n / 3);
                assert_eq!(
                    states.tag(a, b),
                    Some(hmac(&key, &message[..n])),
                    "key {key_len}, n {n}"
                );
            }
            assert_eq!(states.tag(&message, b"x"), None);
        }
    }

    proptest::proptest! {
        /// The precomputed key schedule gives the `hmac` crate's tag.
        #[test]
        fn one_block_hmac_is_hmac(key in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..150), a in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40), b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40)) {
            let whole = [a.as_slice(), b.as_slice()].concat();
            let want = (whole.len() <= ONE_BLOCK).then(|| hmac(&key, &whole));
            proptest::prop_assert_eq!(KeyedStates::new(&key).tag(&a, &b), want);
        }

        /// The stack decoder accepts exactly the digests the `base64` crate decodes to 32
        /// bytes, with the same bytes.
        #[test]
        fn decode_agrees_with_base64(tag in proptest::prelude::any::<[u8; 32]>(), at in 0usize..44, c in proptest::prelude::any::<char>()) {
            let good = base64::engine::general_purpose::STANDARD.encode(tag);
            proptest::prop_assert_eq!(decode(&good), Some(tag));
            let mut bad: Vec<char> = good.chars().collect();
            bad[at] = c;
            let bad: String = bad.into_iter().collect();
            let want = reference_decode(&bad).and_then(|v| <[u8; 32]>::try_from(v).ok());
            proptest::prop_assert_eq!(decode(&bad), want);
        }

        #[test]
        fn decode_agrees_on_any_text(s in "[A-Za-z0-9+/=_-]{40,48}") {
            let want = reference_decode(&s).and_then(|v| <[u8; 32]>::try_from(v).ok());
            proptest::prop_assert_eq!(decode(&s), want);
        }

        #[test]
        fn stack_encoding_is_base64(tag in proptest::prelude::any::<[u8; 32]>()) {
            let mut buf = [0u8; DIGEST_LEN];
            proptest::prop_assert_eq!(encode(&tag, &mut buf), base64::engine::general_purpose::STANDARD.encode(tag));
        }
    }
}
