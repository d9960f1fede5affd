// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.28;

import {MemberSignatures} from "./MemberSignatures.sol";
import {IParticipantRegistryView} from "./IParticipantRegistryView.sol";

/// @title CredentialRegistry
/// @notice Credentials of cargoproof members (AEO status, accredited certifier, customs office, licensed
///         forwarder or broker, airline prefix, e-commerce platform, payment licence, GS1 company
///         prefixes), issued by accreditation bodies or by the consortium operator, with validity and
///         revocation, so that a verifier can judge from the chain alone whether a record's publisher
///         had the authority to say what it said, at any date.
/// @dev Credentials are append-only: issuing never overwrites, revocation only sets `revokedAt`, so the
///      full history stays readable. A credential is in force at time t iff
///      validFrom <= t < validUntil (validUntil 0 = open-ended) and (revokedAt == 0 or t < revokedAt).
///      The meaning of `kind` and the format of `scope` (canonical JSON, e.g. {"kinds":["HALAL"],
///      "countries":["MY"]}) are defined by the SDK's credential table, not here: the contract only
///      keeps who said what about whom, and when.
///
///      An issuer needs no gas: `issueBySignature` and `revokeBySignature` take its key's EIP-712 signed
///      `IssueCredential` / `RevokeCredential` message from anyone (the hub relays it and pays), judged by
///      the same rules and emitting the same events as `issue` / `revoke` sent by that key at that block.
contract CredentialRegistry is MemberSignatures {
    /// @notice EIP-712 type of a relayed issue (sdk/relay.ts builds the same).
    /// @dev The type strings are hashed at compile time: their length costs no gas.
    bytes32 public constant ISSUE_TYPEHASH =
        // solhint-disable-next-line gas-small-strings
        keccak256(
            "IssueCredential(address issuer,bytes32 subject,uint8 kind,uint64 validFrom,uint64 validUntil,string scope,uint256 nonce,uint256 deadline)"
        );
    /// @notice EIP-712 type of a relayed revocation of a credential (sdk/relay.ts builds the same).
    bytes32 public constant REVOKE_TYPEHASH =
        // solhint-disable-next-line gas-small-strings
        keccak256("RevokeCredential(address revoker,uint256 id,string reason,uint256 nonce,uint256 deadline)");

    /// @notice One credential as issued, with its revocation time (0 = not revoked).
    struct Credential {
        bytes32 subject;
        bytes32 issuer; // the issuing organisation; zero when the consortium operator issued it
        uint8 kind;
        uint64 issuedAt;
        uint64 validFrom;
        uint64 validUntil; // 0 = open-ended
        uint64 revokedAt; // 0 = not revoked
        string scope;
    }

    /// @notice The ParticipantRegistry whose operator and members this registry trusts.
    /// @dev Not SNAKE_CASE: the public getter's name is part of the ABI the SDK's verifiers call.
    address public immutable participantRegistry; // solhint-disable-line immutable-vars-naming

    Credential[] private _credentials;
    mapping(bytes32 subject => mapping(uint8 kind => uint256[] ids)) private _bySubjectKind;
    // Accreditation bodies: which credential kinds (bit i = kind i) each organisation may issue.
    mapping(bytes32 issuer => uint256 kinds) private _issuerKinds;

    /// @notice An organisation's right to issue credentials changed.
    /// @param issuer The accreditation body's organisation id.
    /// @param kinds The kinds it may issue from now on (bit i = kind i; zero = none).
    event IssuerChanged(bytes32 indexed issuer, uint256 kinds);
    /// @notice A credential was issued.
    /// @param id The credential's id.
    /// @param subject The organisation it was issued to.
    /// @param kind Its kind.
    /// @param issuer The issuing organisation (zero: the consortium operator).
    /// @param validFrom Valid from this unix time.
    /// @param validUntil Valid until this unix time (zero: open-ended).
    /// @param scope What it covers, in the kind's own terms (e.g. GS1 company prefixes).
    event CredentialIssued(
        uint256 indexed id,
        bytes32 indexed subject,
        uint8 indexed kind,
        bytes32 issuer,
        uint64 validFrom,
        uint64 validUntil,
        string scope
    );
    /// @notice A credential was revoked.
    /// @param id The credential's id.
    /// @param subject The organisation it was issued to.
    /// @param revoker The revoking organisation (zero: the consortium operator).
    /// @param reason Why.
    event CredentialRevoked(uint256 indexed id, bytes32 indexed subject, bytes32 revoker, string reason);

    error NotOperator();
    error ZeroAddress();
    error ZeroSubject();
    error NotIssuer(address account, uint8 kind);
    error BadValidity(uint64 validFrom, uint64 validUntil);
    error UnknownCredential(uint256 id);
    error AlreadyRevoked(uint256 id);
    error NotRevoker(address account, uint256 id);

    /// @notice Deploys the registry beside a ParticipantRegistry.
    /// @param participantRegistry_ The ParticipantRegistry (its operator is the consortium operator).
    constructor(address participantRegistry_) MemberSignatures("cargoproof CredentialRegistry") {
        if (participantRegistry_ == address(0)) revert ZeroAddress();
        participantRegistry = participantRegistry_;
    }

    function _registry() private view returns (IParticipantRegistryView) {
        return IParticipantRegistryView(participantRegistry);
    }

    /// @dev The organisation `account` acts for: its own if it is an active member key now, else zero.
    function _orgOf(address account) private view returns (bytes32) {
        bytes32 org = _registry().orgOf(account);
        if (org != bytes32(0) && _registry().isActiveSigner(org, account, block.timestamp)) return org;
        return bytes32(0);
    }

    /// @notice Lets an organisation (an accreditation body) issue the given credential kinds, or none.
    /// @param issuer The accreditation body's organisation id.
    /// @param kinds Bitmask of credential kinds it may issue (0 withdraws the right; its past credentials stand).
    function setIssuer(bytes32 issuer, uint256 kinds) external {
        if (msg.sender != _registry().operator()) revert NotOperator();
        if (issuer == bytes32(0)) revert ZeroSubject();
        _issuerKinds[issuer] = kinds;
        emit IssuerChanged(issuer, kinds);
    }

    /// @notice Issues a credential to a member.
    /// @dev The consortium operator may issue any kind (its credentials have issuer zero); an active key of
    ///      an organisation may issue the kinds `setIssuer` gave it.
    /// @param subject The organisation the credential is about.
    /// @param kind The credential kind (see the SDK's credential table).
    /// @param validFrom Start of validity (0 = now).
    /// @param validUntil End of validity, exclusive (0 = open-ended); must be after validFrom.
    /// @param scope What the credential covers, canonical JSON.
    /// @return id The credential's id.
    function issue(
        bytes32 subject,
        uint8 kind,
        uint64 validFrom,
        uint64 validUntil,
        string calldata scope
    ) external returns (uint256 id) {
        return _issue(msg.sender, subject, kind, validFrom, validUntil, scope);
    }

    /// @notice Issues a credential as `issuer` signed it (EIP-712 `IssueCredential`); anyone may send it and pay.
    /// @dev Same rules and the same `CredentialIssued` event as `issue` called by `issuer` now: the signature
    ///      only stands in for msg.sender. `nonce` must be `nonces(issuer)`.
    /// @param issuer The key that signed (the consortium operator's, or an accreditation body's member key).
    /// @param subject The organisation the credential is about.
    /// @param kind The credential kind.
    /// @param validFrom Start of validity (0 = the block's time).
    /// @param validUntil End of validity, exclusive (0 = open-ended).
    /// @param scope What the credential covers, canonical JSON.
    /// @param nonce The issuer's current nonce, as signed.
    /// @param deadline Last block timestamp at which the signature may be used.
    /// @param signature The 65-byte ECDSA signature of the typed data.
    /// @return id The credential's id.
    function issueBySignature(
        address issuer,
        bytes32 subject,
        uint8 kind,
        uint64 validFrom,
        uint64 validUntil,
        string calldata scope,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 id) {
        bytes32 structHash = keccak256(
            abi.encode(ISSUE_TYPEHASH, issuer, subject, kind, validFrom, validUntil, keccak256(bytes(scope)), nonce, deadline)
        );
        _useSignature(issuer, structHash, nonce, deadline, signature);
        return _issue(issuer, subject, kind, validFrom, validUntil, scope);
    }

    /// @dev The issuing itself, by `by` (the caller, or the signer of a relayed one).
    function _issue(
        address by,
        bytes32 subject,
        uint8 kind,
        uint64 validFrom,
        uint64 validUntil,
        string calldata scope
    ) private returns (uint256 id) {
        if (subject == bytes32(0)) revert ZeroSubject();
        bytes32 issuer;
        if (by != _registry().operator()) {
            issuer = _orgOf(by);
            if (issuer == bytes32(0) || (_issuerKinds[issuer] >> kind) & 1 == 0) revert NotIssuer(by, kind);
        }
        uint64 nowTs = uint64(block.timestamp);
        uint64 from = validFrom == 0 ? nowTs : validFrom;
        if (validUntil != 0 && validUntil <= from) revert BadValidity(from, validUntil);
        id = _credentials.length;
        _credentials.push(
            Credential({
                subject: subject,
                issuer: issuer,
                kind: kind,
                issuedAt: nowTs,
                validFrom: from,
                validUntil: validUntil,
                revokedAt: 0,
                scope: scope
            })
        );
        _bySubjectKind[subject][kind].push(id);
        emit CredentialIssued(id, subject, kind, issuer, from, validUntil, scope);
    }

    /// @notice Revokes a credential from now on; it stays in force for earlier times.
    /// @dev By its issuer (an active key of the issuing organisation) or the consortium operator.
    /// @param id The credential.
    /// @param reason Free text, only emitted.
    function revoke(uint256 id, string calldata reason) external {
        _revoke(msg.sender, id, reason);
    }

    /// @notice Revokes a credential as `revoker` signed it (EIP-712 `RevokeCredential`); anyone may send it and pay.
    /// @dev Same rules and the same `CredentialRevoked` event as `revoke` called by `revoker` now.
    /// @param revoker The key that signed (the consortium operator's, or a member key of the issuing organisation).
    /// @param id The credential.
    /// @param reason Free text, only emitted.
    /// @param nonce The revoker's current nonce, as signed.
    /// @param deadline Last block timestamp at which the signature may be used.
    /// @param signature The 65-byte ECDSA signature of the typed data.
    function revokeBySignature(
        address revoker,
        uint256 id,
        string calldata reason,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(abi.encode(REVOKE_TYPEHASH, revoker, id, keccak256(bytes(reason)), nonce, deadline));
        _useSignature(revoker, structHash, nonce, deadline, signature);
        _revoke(revoker, id, reason);
    }

    /// @dev The revocation itself, by `by` (the caller, or the signer of a relayed one).
    function _revoke(address by, uint256 id, string calldata reason) private {
        if (id >= _credentials.length) revert UnknownCredential(id);
        Credential storage c = _credentials[id];
        if (c.revokedAt != 0) revert AlreadyRevoked(id);
        bytes32 revoker;
        if (by != _registry().operator()) {
            revoker = _orgOf(by);
            if (revoker == bytes32(0) || revoker != c.issuer) revert NotRevoker(by, id);
        }
        c.revokedAt = uint64(block.timestamp);
        emit CredentialRevoked(id, c.subject, revoker, reason);
    }

    /// @notice Every credential of one kind ever issued to `subject`, oldest first, with revocations.
    /// @param subject An organisation id.
    /// @param kind A credential kind.
    /// @return The credentials (empty if none).
    function credentialsOf(bytes32 subject, uint8 kind) external view returns (Credential[] memory) {
        uint256[] storage ids = _bySubjectKind[subject][kind];
        Credential[] memory out = new Credential[](ids.length);
        for (uint256 i = 0; i < ids.length; ++i) out[i] = _credentials[ids[i]];
        return out;
    }

    /// @notice The ids of every credential of one kind issued to `subject`, oldest first.
    /// @param subject An organisation id.
    /// @param kind A credential kind.
    /// @return The ids.
    function credentialIds(bytes32 subject, uint8 kind) external view returns (uint256[] memory) {
        return _bySubjectKind[subject][kind];
    }

    /// @notice One credential by id.
    /// @param id The credential id.
    /// @return The credential.
    function credential(uint256 id) external view returns (Credential memory) {
        if (id >= _credentials.length) revert UnknownCredential(id);
        return _credentials[id];
    }

    /// @notice How many credentials were ever issued.
    /// @return The count.
    function credentialCount() external view returns (uint256) {
        return _credentials.length;
    }

    /// @notice The credential kinds an accreditation body may issue (bit i = kind i).
    /// @param issuer An organisation id.
    /// @return The bitmask.
    function issuerKinds(bytes32 issuer) external view returns (uint256) {
        return _issuerKinds[issuer];
    }
}
