#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

internal import Runtime

/// Finds the CA certificates file for HTTPS: libcurl's compiled-in path differs between Debian and
/// Amazon Linux, so a binary built on one must look for the other's.
public enum CABundle {
    /// Known locations: Amazon Linux/RHEL, Debian/Ubuntu, SUSE, Alpine, and the RHEL extracted bundle.
    public static let knownPaths = [
        "/etc/pki/tls/certs/ca-bundle.crt",
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/ssl/ca-bundle.pem",
        "/etc/ssl/cert.pem",
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    ]

    /// `SSL_CERT_FILE`, then `CURL_CA_BUNDLE`, then the first readable known path; `nil` leaves libcurl's
    /// default in place.
    public static func discover(
        environment: [String: String], isReadable: (String) -> Bool = CABundle.isReadable
    ) -> String? {
        for name in ["SSL_CERT_FILE", "CURL_CA_BUNDLE"] {
            if let path = environment[name], !path.isEmpty { return path }
        }
        return knownPaths.first(where: isReadable)
    }

    /// ``discover(environment:isReadable:)`` over the process environment.
    public static func discoverFromProcessEnvironment() -> String? {
        discover(environment: LambdaEnvironment.processVariables())
    }

    /// Whether the file at `path` exists and can be read.
    public static func isReadable(_ path: String) -> Bool {
        access(path, R_OK) == 0
    }
}
