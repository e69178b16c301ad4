import Access
import Crypto
import HTTPSupport
import Objects

extension Authenticator {
    /// Verifies the signature of a browser POST form: SigV4 (`x-amz-signature`, hex HMAC of the
    /// base64 policy with the day's signing key) or SigV2 (`signature`, base64 HMAC-SHA1). `fields`
    /// has lowercased names. Returns the signer; a form without a policy is anonymous.
    func authenticatePost(fields: [String: String]) throws -> Principal {
        guard let policy = fields["policy"] else {
            if fields["x-amz-signature"] != nil || fields["signature"] != nil {
                throw S3Error.invalidArgument("Bucket POST must contain a field named 'policy'.", name: "policy", value: "")
            }
            return .anonymous
        }
        if let algorithm = fields["x-amz-algorithm"] {
            guard algorithm == SigV4.algorithm else {
                throw S3Error.invalidArgument("Only AWS4-HMAC-SHA256 is supported.", name: "x-amz-algorithm", value: algorithm)
            }
            guard let credentialText = fields["x-amz-credential"], let signature = fields["x-amz-signature"] else {
                throw S3Error.invalidArgument(
                    "Bucket POST must contain the fields 'x-amz-credential' and 'x-amz-signature'.", name: "x-amz-signature", value: ""
                )
            }
            let scope = credentialText.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard scope.count == 5, scope[4] == "aws4_request" else {
                throw S3Error.invalidArgument("The credential is mal-formed.", name: "x-amz-credential", value: credentialText)
            }
            guard let credential = credentials.credential(forAccessKey: scope[0]) else { throw S3Error.invalidAccessKeyID() }
            let key = signingKey(credential, date: scope[1], region: scope[2])
            guard SigV4.constantTimeEqual(SigV4.signature(key: key, stringToSign: policy), signature.lowercased()) else {
                throw S3Error.signatureDoesNotMatch(fields: [("AWSAccessKeyId", credential.accessKey), ("StringToSign", policy)])
            }
            return credential.principal
        }
        guard let accessKey = fields["awsaccesskeyid"] else {
            throw S3Error.invalidArgument("Bucket POST must contain a field named 'AWSAccessKeyId'.", name: "AWSAccessKeyId", value: "")
        }
        guard let signature = fields["signature"] else {
            throw S3Error.invalidArgument("Bucket POST must contain a field named 'Signature'.", name: "Signature", value: "")
        }
        guard let credential = credentials.credential(forAccessKey: accessKey) else { throw S3Error.invalidAccessKeyID() }
        guard SigV4.constantTimeEqual(SigV2.signature(secret: credential.secretKey, stringToSign: policy), signature) else {
            throw S3Error.signatureDoesNotMatch(fields: [("AWSAccessKeyId", accessKey), ("StringToSign", policy)])
        }
        return credential.principal
    }
}
