// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.28;

/// @title ParticipantRegistry
/// @notice Permissioned membership of the cargoproof network: which organisations are admitted,
///         their roles, and which signing key each one used over time.
/// @dev Key periods and suspension periods are kept as append-only history so that a signature can be
///      judged against the state at the time it was made, not only the current state. All periods are
///      half-open [from, until) in block timestamps, `until == 0` meaning still open. Histories are short
///      (a key rotation or suspension is a rare administrative act), so views scan them linearly.
contract ParticipantRegistry {
    // Role bits. A uint256 bitmask keeps role checks to one AND off-chain and on-chain.
    /// @notice Role bit: shipper.
    uint256 public constant SHIPPER = 1 << 0;
    /// @notice Role bit: platform.
    uint256 public constant PLATFORM = 1 << 1;
    /// @notice Role bit: payment.
    uint256 public constant PAYMENT = 1 << 2;
    /// @notice Role bit: freight forwarder.
    uint256 public constant FORWARDER = 1 << 3;
    /// @notice Role bit: airline.
    uint256 public constant AIRLINE = 1 << 4;
    /// @notice Role bit: handler.
    uint256 public constant HANDLER = 1 << 5;
    /// @notice Role bit: broker.
    uint256 public constant BROKER = 1 << 6;
    /// @notice Role bit: customs authority.
    uint256 public constant CUSTOMS = 1 << 7;
    /// @notice Role bit: certifier.
    uint256 public constant CERTIFIER = 1 << 8;
    /// @notice Role bit: auditor.
    uint256 public constant AUDITOR = 1 << 9;
    /// @notice Role bit: operator organisation (distinct from the `operator` admin account).
    uint256 public constant OPERATOR = 1 << 10;

    /// @notice One signing key of an organisation and the time span in which it was the valid key.
    struct KeyPeriod {
        address signer;
        uint64 from;
        uint64 until; // 0 = still the current key
    }

    /// @dev A span during which the organisation was suspended.
    struct SuspensionPeriod {
        uint64 from;
        uint64 until; // 0 = still suspended
    }

    /// @dev Packed into two slots: roles, then admittedAt/suspended/signer share one.
    struct Organization {
        uint256 roles;
        uint64 admittedAt;
        bool suspended;
        address signer;
    }

    /// @notice The account allowed to change membership.
    address public operator;

    /// @notice The CredentialRegistry holding members' credentials (zero until set): verifiers that trust
    ///         this registry find the credentials through it.
    address public credentialRegistry;

    mapping(bytes32 orgId => Organization) private _orgs;
    mapping(bytes32 orgId => KeyPeriod[]) private _keys;
    mapping(bytes32 orgId => SuspensionPeriod[]) private _suspensions;
    // Never cleared: a signing address belongs to one organisation forever, so an old key can never be
    // re-issued to someone else and make its past signatures ambiguous.
    mapping(address signer => bytes32 orgId) private _orgOf;

    /// @notice An organisation was admitted with its first signing key.
    /// @param orgId The organisation.
    /// @param signer Its signing key.
    /// @param roles Its roles (bit i = role i).
    event OrganizationAdmitted(bytes32 indexed orgId, address indexed signer, uint256 roles);
    /// @notice An organisation's signing key was replaced; the old one signs for nothing from now on.
    /// @param orgId The organisation.
    /// @param oldSigner The retired key.
    /// @param newSigner The key from now on.
    event KeyRotated(bytes32 indexed orgId, address indexed oldSigner, address indexed newSigner);
    /// @notice An organisation was suspended: its keys sign for nothing until reinstated.
    /// @param orgId The organisation.
    event OrganizationSuspended(bytes32 indexed orgId);
    /// @notice A suspended organisation was reinstated.
    /// @param orgId The organisation.
    event OrganizationReinstated(bytes32 indexed orgId);
    /// @notice An organisation's roles changed.
    /// @param orgId The organisation.
    /// @param roles Its roles from now on (bit i = role i).
    event RolesChanged(bytes32 indexed orgId, uint256 roles);
    /// @notice The operator role changed hands.
    /// @param previousOperator The former operator (zero at deployment).
    /// @param newOperator The new operator.
    event OperatorTransferred(address indexed previousOperator, address indexed newOperator);
    /// @notice The CredentialRegistry verifiers should consult was set.
    /// @param registry Its address.
    event CredentialRegistrySet(address indexed registry);

    error NotOperator();
    error ZeroAddress();
    error ZeroOrgId();
    error OrganizationExists(bytes32 orgId);
    error UnknownOrganization(bytes32 orgId);
    error SignerInUse(address signer);
    error AlreadySuspended(bytes32 orgId);
    error NotSuspended(bytes32 orgId);

    modifier onlyOperator() {
        if (msg.sender != operator) revert NotOperator();
        _;
    }

    modifier known(bytes32 orgId) {
        if (_orgs[orgId].signer == address(0)) revert UnknownOrganization(orgId);
        _;
    }

    /// @notice Deploys the registry with the deployer as operator.
    constructor() {
        operator = msg.sender;
        emit OperatorTransferred(address(0), msg.sender);
    }

    /// @notice Hands the operator role to another account.
    /// @param newOperator The new operator; must not be the zero address.
    function transferOperator(address newOperator) external onlyOperator {
        if (newOperator == address(0)) revert ZeroAddress();
        emit OperatorTransferred(operator, newOperator);
        operator = newOperator;
    }

    /// @notice Names the CredentialRegistry that holds members' credentials.
    /// @param registry The CredentialRegistry; must not be the zero address.
    function setCredentialRegistry(address registry) external onlyOperator {
        if (registry == address(0)) revert ZeroAddress();
        credentialRegistry = registry;
        emit CredentialRegistrySet(registry);
    }

    /// @notice Admits an organisation with its roles and first signing key, valid from now.
    /// @param orgId Organisation id (non-zero, not yet admitted).
    /// @param roles Role bitmask.
    /// @param signer First signing address; must never have been registered to any organisation.
    function admit(bytes32 orgId, uint256 roles, address signer) external onlyOperator {
        if (orgId == bytes32(0)) revert ZeroOrgId();
        if (_orgs[orgId].signer != address(0)) revert OrganizationExists(orgId);
        _claimSigner(orgId, signer);

        uint64 nowTs = uint64(block.timestamp);
        _orgs[orgId] = Organization({roles: roles, admittedAt: nowTs, suspended: false, signer: signer});
        _keys[orgId].push(KeyPeriod({signer: signer, from: nowTs, until: 0}));
        emit OrganizationAdmitted(orgId, signer, roles);
    }

    /// @notice Replaces an organisation's signing key from now on; the old key stays valid for earlier times.
    /// @param orgId An admitted organisation.
    /// @param newSigner The new signing address; must never have been registered to any organisation.
    function rotateKey(bytes32 orgId, address newSigner) external onlyOperator known(orgId) {
        _claimSigner(orgId, newSigner);

        uint64 nowTs = uint64(block.timestamp);
        KeyPeriod[] storage keys = _keys[orgId];
        // Closing at `now` with an exclusive bound makes only the new key valid at the rotation instant.
        keys[keys.length - 1].until = nowTs;
        keys.push(KeyPeriod({signer: newSigner, from: nowTs, until: 0}));

        Organization storage org = _orgs[orgId];
        address oldSigner = org.signer;
        org.signer = newSigner;
        emit KeyRotated(orgId, oldSigner, newSigner);
    }

    /// @notice Suspends an organisation from now until it is reinstated.
    /// @param orgId An admitted organisation that is not suspended.
    function suspend(bytes32 orgId) external onlyOperator known(orgId) {
        Organization storage org = _orgs[orgId];
        if (org.suspended) revert AlreadySuspended(orgId);
        org.suspended = true;
        _suspensions[orgId].push(SuspensionPeriod({from: uint64(block.timestamp), until: 0}));
        emit OrganizationSuspended(orgId);
    }

    /// @notice Ends an organisation's current suspension from now on.
    /// @param orgId A suspended organisation.
    function reinstate(bytes32 orgId) external onlyOperator known(orgId) {
        Organization storage org = _orgs[orgId];
        if (!org.suspended) revert NotSuspended(orgId);
        org.suspended = false;
        SuspensionPeriod[] storage s = _suspensions[orgId];
        s[s.length - 1].until = uint64(block.timestamp);
        emit OrganizationReinstated(orgId);
    }

    /// @notice Replaces an organisation's role bitmask.
    /// @param orgId An admitted organisation.
    /// @param roles The new role bitmask.
    function setRoles(bytes32 orgId, uint256 roles) external onlyOperator known(orgId) {
        _orgs[orgId].roles = roles;
        emit RolesChanged(orgId, roles);
    }

    /// @notice Whether `signer` was a valid, non-suspended key of `orgId` at time `at`.
    /// @dev True iff a key period of `orgId` for `signer` has from <= at < until (until 0 = open) and no
    ///      suspension period of `orgId` has from <= at < until. At a rotation instant only the new key is valid.
    /// @param orgId The organisation the signature claims to come from.
    /// @param signer The recovered signing address.
    /// @param at Unix time (seconds) at which the signature is judged.
    /// @return True if the signer was an active key of the organisation at `at`.
    function isActiveSigner(bytes32 orgId, address signer, uint256 at) external view returns (bool) {
        if (signer == address(0) || _orgOf[signer] != orgId) return false;

        KeyPeriod[] storage keys = _keys[orgId];
        bool keyValid = false;
        // A signer appears in at most one period per organisation (it can never be re-registered).
        for (uint256 i = keys.length; i > 0; ) {
            unchecked {
                --i;
            }
            KeyPeriod storage k = keys[i];
            if (k.signer == signer) {
                keyValid = k.from <= at && (k.until == 0 || at < k.until);
                break;
            }
        }
        if (!keyValid) return false;

        SuspensionPeriod[] storage s = _suspensions[orgId];
        for (uint256 i = s.length; i > 0; ) {
            unchecked {
                --i;
            }
            SuspensionPeriod storage p = s[i];
            if (p.from <= at && (p.until == 0 || at < p.until)) return false;
        }
        return true;
    }

    /// @notice The organisation a signing address was registered to (kept after rotation).
    /// @param signer A signing address.
    /// @return The organisation id, or zero if the address was never registered.
    function orgOf(address signer) external view returns (bytes32) {
        return _orgOf[signer];
    }

    /// @notice The organisation's current signing key.
    /// @param orgId An organisation id.
    /// @return The current signer, or the zero address if the organisation is unknown.
    function currentSigner(bytes32 orgId) external view returns (address) {
        return _orgs[orgId].signer;
    }

    /// @notice The organisation's current state.
    /// @param orgId An organisation id.
    /// @return roles Role bitmask.
    /// @return suspended Whether it is suspended now.
    /// @return admittedAt Admission time (0 if unknown).
    /// @return signer Current signing key (zero if unknown).
    function organization(
        bytes32 orgId
    ) external view returns (uint256 roles, bool suspended, uint64 admittedAt, address signer) {
        Organization storage org = _orgs[orgId];
        return (org.roles, org.suspended, org.admittedAt, org.signer);
    }

    /// @notice Every signing key the organisation has had, oldest first.
    /// @param orgId An organisation id.
    /// @return The key periods (empty if unknown).
    function keyHistory(bytes32 orgId) external view returns (KeyPeriod[] memory) {
        return _keys[orgId];
    }

    /// @notice Whether the organisation has been admitted (suspended ones still count).
    /// @param orgId An organisation id.
    /// @return True if admitted.
    function isAdmitted(bytes32 orgId) external view returns (bool) {
        return _orgs[orgId].signer != address(0);
    }

    /// @dev Binds `signer` to `orgId` forever, enforcing the one-organisation-per-address rule.
    function _claimSigner(bytes32 orgId, address signer) private {
        if (signer == address(0)) revert ZeroAddress();
        if (_orgOf[signer] != bytes32(0)) revert SignerInUse(signer);
        _orgOf[signer] = orgId;
    }
}
