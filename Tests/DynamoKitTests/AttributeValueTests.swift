import DynamoKit
import Foundation
import Testing

@Suite struct AttributeValueTests {
    /// An item as DynamoDB's documentation writes it, with every type tag.
    static let documentedItem = """
        {"s": {"S": "hello"}, "n": {"N": "-12.5e3"}, "b": {"B": "AAEC/w=="}, "t": {"BOOL": true},
         "nothing": {"NULL": true}, "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2.5"]},
         "bs": {"BS": ["AA==", "/w=="]}, "l": {"L": [{"S": "x"}, {"N": "1"}]},
         "m": {"M": {"inner": {"M": {"deep": {"BOOL": false}}}}}}
        """

    @Test func decodesEveryTypeTag() throws {
        let item = try JSONDecoder().decode(Item.self, from: Data(Self.documentedItem.utf8))
        #expect(item["s"] == .string("hello"))
        #expect(item["n"] == .number("-12.5e3"))
        #expect(item["b"] == .binary(Data([0, 1, 2, 255])))
        #expect(item["t"] == .bool(true))
        #expect(item["nothing"] == .null)
        #expect(item["ss"] == .stringSet(["a", "b"]))
        #expect(item["ns"] == .numberSet(["1", "2.5"]))
        #expect(item["bs"] == .binarySet([Data([0]), Data([255])]))
        #expect(item["l"] == .list([.string("x"), .number("1")]))
        #expect(item["m"] == .map(["inner": .map(["deep": .bool(false)])]))
    }

    @Test func encodingRoundTripsThroughTheWireForm() throws {
        let item = try JSONDecoder().decode(Item.self, from: Data(Self.documentedItem.utf8))
        let encoded = try JSONEncoder().encode(item)
        #expect(try JSONDecoder().decode(Item.self, from: encoded) == item)
        // And the wire form is what DynamoDB expects, tag by tag.
        let object = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: [String: Any]])
        #expect(object["n"]?["N"] as? String == "-12.5e3")
        #expect(object["b"]?["B"] as? String == "AAEC/w==")
        #expect(object["nothing"]?["NULL"] as? Bool == true)
    }

    @Test func convenienceAccessors() {
        let value: AttributeValue = "text"
        #expect(value.stringValue == "text")
        #expect(AttributeValue.number(Int64(1_735_000_000_123)).int64Value == 1_735_000_000_123)
        #expect(AttributeValue.number("1.5").int64Value == nil)
        #expect((true as AttributeValue).boolValue == true)
        #expect((42 as AttributeValue) == .number("42"))
    }

    @Test(arguments: [
        #"{}"#, #"{"S": "a", "N": "1"}"#, #"{"X": "a"}"#, #"{"B": "not base64!"}"#, #"{"N": 5}"#,
    ])
    func malformedValuesAreDecodingErrors(_ json: String) {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(AttributeValue.self, from: Data(json.utf8))
        }
    }

    @Test func writeRequestsUseThePutAndDeleteShapes() throws {
        let requests: [WriteRequest] = [.put(["pk": "a", "sk": "b"]), .delete(key: ["pk": "a", "sk": "c"])]
        let text = String(decoding: try JSONEncoder().encode(requests), as: UTF8.self)
        #expect(text.contains(#"{"PutRequest":{"Item":{"#))
        #expect(text.contains(#"{"DeleteRequest":{"Key":{"#))
        #expect(try JSONDecoder().decode([WriteRequest].self, from: Data(text.utf8)) == requests)
    }
}
