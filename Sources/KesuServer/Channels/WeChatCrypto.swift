import Crypto
import CryptoExtras
import Foundation

/// 微信公众号消息加解密 — the official account's callback security, as WeChat publishes it: the URL's `signature`
/// is SHA-1 over the token, timestamp and nonce sorted and joined; in safe mode each message's `Encrypt` is
/// AES-256-CBC under the EncodingAESKey (43 base64 characters + "="; the IV its first 16 bytes), PKCS#7-padded to 32
/// bytes, holding 16 random bytes, the message's length (4 bytes, network order), the message and the AppID; its
/// `msg_signature` is SHA-1 over the token, timestamp, nonce and the ciphertext, sorted and joined.
package struct WeChatCrypto: Sendable {
    package let token: String
    package let appID: String
    let key: SymmetricKey
    let iv: [UInt8]

    package struct Refusal: Error, Equatable, CustomStringConvertible {
        package var reason: String
        package var description: String { reason }
    }

    package init(token: String, encodingAESKey: String, appID: String) throws {
        guard encodingAESKey.count == 43, let raw = Data(base64Encoded: encodingAESKey + "="), raw.count == 32 else {
            throw Refusal(reason: "the EncodingAESKey is not 43 base64 characters")
        }
        self.token = token
        self.appID = appID
        key = SymmetricKey(data: raw)
        iv = Array(raw.prefix(16))
    }

    /// SHA-1 hex of the parts sorted and joined — the URL's `signature` (token, timestamp, nonce) and, with the
    /// ciphertext, `msg_signature`.
    package static func signature(_ parts: [String]) -> String {
        Insecure.SHA1.hash(data: Data(parts.sorted().joined().utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether a signature is right, compared in constant time.
    package static func matches(_ given: String, _ expected: String) -> Bool {
        let a = Array(given.lowercased().utf8), b = Array(expected.utf8)
        return a.count == b.count && zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The plain message inside `encrypted`, after checking `msgSignature` and that it is meant for our AppID.
    package func decrypt(_ encrypted: String, msgSignature: String, timestamp: String, nonce: String) throws -> String {
        guard Self.matches(msgSignature, Self.signature([token, timestamp, nonce, encrypted])) else {
            throw Refusal(reason: "msg_signature does not match")
        }
        guard let cipher = Data(base64Encoded: encrypted), !cipher.isEmpty, cipher.count % 16 == 0 else {
            throw Refusal(reason: "Encrypt is not AES blocks in base64")
        }
        let plain = Array(try AES._CBC.decrypt(cipher, using: key, iv: AES._CBC.IV(ivBytes: iv), noPadding: true))
        guard let pad = plain.last, (1...32).contains(pad), Int(pad) <= plain.count else { throw Refusal(reason: "bad padding") }
        let body = plain.dropLast(Int(pad))
        guard body.count >= 20 else { throw Refusal(reason: "the message is too short") }
        let start = body.startIndex + 16
        let length = body[start..<start + 4].reduce(0) { $0 << 8 | Int($1) }
        guard length >= 0, start + 4 + length <= body.endIndex else { throw Refusal(reason: "the message length is wrong") }
        let message = body[(start + 4)..<(start + 4 + length)]
        guard String(decoding: body[(start + 4 + length)...], as: UTF8.self) == appID else {
            throw Refusal(reason: "the message is for another AppID")
        }
        return String(decoding: message, as: UTF8.self)
    }

    /// `message` encrypted for a passive reply, with its `msg_signature`.
    package func encrypt(_ message: String, timestamp: String, nonce: String, random: [UInt8]? = nil) throws -> (encrypted: String, signature: String) {
        var rng = SystemRandomNumberGenerator()
        let prefix = random ?? (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let bytes = Array(message.utf8)
        var plain = prefix + withUnsafeBytes(of: UInt32(bytes.count).bigEndian, Array.init) + bytes + Array(appID.utf8)
        let pad = 32 - plain.count % 32
        plain += Array(repeating: UInt8(pad), count: pad)
        let cipher = try AES._CBC.encrypt(plain, using: key, iv: AES._CBC.IV(ivBytes: iv), noPadding: true)
        let encrypted = cipher.base64EncodedString()
        return (encrypted, Self.signature([token, timestamp, nonce, encrypted]))
    }
}
