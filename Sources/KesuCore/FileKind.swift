/// 文件类型 — what an uploaded file is, judged from its first bytes and never from its name.
public enum FileKind {
    /// The most an evidence file may be: 20 MB.
    public static let maxBytes = 20 * 1024 * 1024

    /// The content type of a file that starts with `head`; `application/octet-stream` when unknown.
    public static func contentType(of head: [UInt8]) -> String {
        func starts(_ bytes: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + bytes.count && Array(head[offset..<(offset + bytes.count)]) == bytes
        }
        if starts([0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return "image/gif" }
        if starts(Array("RIFF".utf8)), starts(Array("WEBP".utf8), at: 8) { return "image/webp" }
        if starts(Array("%PDF-".utf8)) { return "application/pdf" }
        if starts(Array("ftyp".utf8), at: 4) { return "video/mp4" }
        if starts([0x50, 0x4B, 0x03, 0x04]) { return "application/zip" }
        return "application/octet-stream"
    }

    /// Whether a browser may show it in place (images only; everything else downloads).
    public static func isInline(_ contentType: String) -> Bool {
        ["image/jpeg", "image/png", "image/gif", "image/webp"].contains(contentType)
    }

    /// A file name safe to show and to send back: no path, no control characters, at most 120 characters.
    public static func cleanName(_ name: String) -> String {
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let clean = String(last.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
            .trimmed
        return clean.isEmpty ? "file" : String(clean.prefix(120))
    }
}
