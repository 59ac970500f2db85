import ArgumentParser
import Foundation

/// The executable products a package declares, from `swift package describe`.
enum ExecutableProducts {
    /// The package's executable product when it has exactly one; otherwise an error listing them.
    static func onlyOne(in packageDirectory: URL) throws -> String {
        let description = try Shell.output("swift", ["package", "--package-path", packageDirectory.path, "describe", "--type", "json"])
        let names = try names(inDescription: Data(description.utf8))
        switch names.count {
        case 1:
            return names[0]
        case 0:
            throw ValidationError("the package at \(packageDirectory.path) has no executable product to package")
        default:
            throw ValidationError("the package has several executable products (\(names.joined(separator: ", "))): choose one with --product")
        }
    }

    /// The executable products in `swift package describe --type json` output.
    static func names(inDescription json: Data) throws -> [String] {
        struct Description: Decodable {
            struct Product: Decodable {
                var name: String
                var type: Kind
            }
            var products: [Product]
        }
        let description: Description
        do {
            description = try JSONDecoder().decode(Description.self, from: json)
        } catch {
            throw ValidationError("cannot read the package description: \(error)")
        }
        return description.products.filter { $0.type.names.contains("executable") }.map(\.name)
    }

    /// A product's type: an object with one key (`{"executable": null}`, `{"library": ["automatic"]}`, …).
    private struct Kind: Decodable {
        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        var names: [String]

        init(from decoder: any Decoder) throws {
            names = try decoder.container(keyedBy: Key.self).allKeys.map(\.stringValue)
        }
    }
}
