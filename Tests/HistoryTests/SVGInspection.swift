import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// What an SVG holds, read with an XML parser: the count of elements per `class`, and the text of `<text>` elements.
struct SVGInspection {
    private(set) var classes: [String: Int] = [:]
    private(set) var texts: [String] = []
    let root: String

    /// Parses `svg`; throws when it is not well-formed XML.
    init(_ svg: String) throws {
        let delegate = Delegate()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = delegate
        guard parser.parse() else {
            throw InspectionError(message: parser.parserError.map { "\($0)" } ?? "XML parse failed")
        }
        classes = delegate.classes
        texts = delegate.texts
        root = delegate.root ?? ""
    }

    func count(_ cls: String) -> Int { classes[cls] ?? 0 }

    struct InspectionError: Error { let message: String }

    private final class Delegate: NSObject, XMLParserDelegate {
        var classes: [String: Int] = [:]
        var texts: [String] = []
        var root: String?
        private var inText = false, current = ""

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            if root == nil { root = name }
            if let cls = attributes["class"] { classes[cls, default: 0] += 1 }
            if name == "text" { inText = true; current = "" }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if inText { current += string }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "text" { texts.append(current); inText = false }
        }
    }
}
