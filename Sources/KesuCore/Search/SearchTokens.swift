import Foundation

/// 检索分词 — how search sees a complaint's text and a query's, one tokenizer for both databases.
///
/// A document is two token streams. `terms`, in text order: each run of Han characters as its character pairs (a run
/// of one character as that character), each word and number whole (a waybill or phone number is one token).
/// `chars`: every Han character, so a one-character query still finds it. A query word of two or more Han characters
/// is the phrase of its pairs in `terms`, so 延误 finds 延误 and 没有送货 finds exactly that run of text.
public enum SearchTokens {
    public struct Document: Equatable, Sendable {
        public var terms: [String] = []
        public var chars: [String] = []
    }

    /// One thing a clause requires of a document.
    public enum Need: Equatable, Sendable {
        /// These `terms` tokens, next to each other in this order (one token: just that token).
        case sequence([String])
        /// This Han character anywhere.
        case char(String)
    }

    /// The document of `texts` (a complaint's number, description, customer, waybills); a text ends a run.
    public static func document(_ texts: [String]) -> Document {
        var doc = Document()
        for text in texts {
            for piece in ChineseText.pieces(ChineseText.normalise(text)) {
                doc.terms += stream(piece)
                if case .han(let chars) = piece { doc.chars += chars.map { String($0) } }
            }
        }
        return doc
    }

    /// What `clause` requires: all of the needs (a word: each piece; a phrase: its whole stream in order).
    public static func needs(_ clause: SearchQuery.Clause) -> [Need] {
        switch clause {
        case .word(let text):
            return ChineseText.pieces(ChineseText.normalise(text)).map { piece in
                if case .han(let chars) = piece, chars.count == 1 { return .char(String(chars[0])) }
                return .sequence(stream(piece))
            }
        case .phrase(let text):
            let pieces = ChineseText.pieces(ChineseText.normalise(text))
            if pieces.count == 1, case .han(let chars) = pieces[0], chars.count == 1 { return [.char(String(chars[0]))] }
            let tokens = pieces.flatMap(stream)
            return tokens.isEmpty ? [] : [.sequence(tokens)]
        }
    }

    /// The `terms` tokens of one piece.
    static func stream(_ piece: ChineseText.Piece) -> [String] {
        switch piece {
        case .han(let chars):
            guard chars.count > 1 else { return chars.map { String($0) } }
            return (0..<(chars.count - 1)).map { String(chars[$0]) + String(chars[$0 + 1]) }
        case .word(let w): return [w]
        case .number(let n): return [n]
        }
    }
}
