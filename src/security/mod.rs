//! Small, pure security primitives shared by the web layer and services:
//! HMAC signing, random tokens, hashing. No I/O.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// Signs and verifies short messages with HMAC-SHA256 under the service's
/// secret key, so tokens can be checked by any instance sharing the key.
#[derive(Clone)]
pub struct Signer {
    key: Vec<u8>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(***)")
    }
}

impl Signer {
    /// A signer over `key` (at least 32 bytes in production).
    pub fn new(key: &[u8]) -> Self {
        Self { key: key.to_vec() }
    }

    fn mac(&self, purpose: &str, message: &str) -> HmacSha256 {
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac =
            <HmacSha256 as KeyInit>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!());
        // The purpose separates domains: a CSRF signature is never a valid
        // edit-link key, and so on.
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(message.as_bytes());
        mac
    }

    /// A URL-safe signature of `message` for `purpose`.
    pub fn sign(&self, purpose: &str, message: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(purpose, message).finalize().into_bytes())
    }

    /// Whether `signature` is `message`'s, compared in constant time.
    pub fn verify(&self, purpose: &str, message: &str, signature: &str) -> bool {
        match URL_SAFE_NO_PAD.decode(signature) {
            Ok(bytes) => self.mac(purpose, message).verify_slice(&bytes).is_ok(),
            Err(_) => false,
        }
    }
}

/// A random URL-safe token with `bytes` bytes of entropy.
pub fn random_token(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buffer);
    URL_SAFE_NO_PAD.encode(buffer)
}

/// SHA-256 of `value` in hex: how session tokens are stored, so a copy of
/// the database does not hand out live sessions.
pub fn sha256_hex(value: &str) -> String {
    Sha256::digest(value.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_for_its_message_and_purpose() {
        let signer = Signer::new(b"0123456789abcdef0123456789abcdef");
        let sig = signer.sign("csrf", "abc");
        assert!(signer.verify("csrf", "abc", &sig));
        assert!(!signer.verify("csrf", "abd", &sig));
        assert!(!signer.verify("edit", "abc", &sig));
        assert!(!signer.verify("csrf", "abc", "not base64!"));
        assert!(!Signer::new(b"another key of thirty-two bytes!").verify("csrf", "abc", &sig));
    }

    #[test]
    fn random_tokens_differ_and_hashes_are_stable() {
        assert_ne!(random_token(32), random_token(32));
        assert_eq!(random_token(32).len(), 43);
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
