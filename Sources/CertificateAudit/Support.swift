import Crypto
import SwiftASN1
import TLSFlowModel
import X509

func sha256Hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
    hexString(SHA256.hash(data: Array(bytes)))
}

extension Certificate {
    /// The certificate's DER encoding.
    func derBytes() throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(self)
        return serializer.serializedBytes
    }
}
