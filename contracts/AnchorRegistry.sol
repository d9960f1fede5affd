// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.28;

import {MemberSignatures} from "./MemberSignatures.sol";
import {IParticipantRegistryView} from "./IParticipantRegistryView.sol";

/// @title AnchorRegistry
/// @notice Anchors Merkle roots of record-digest batches, and records per-organisation revocations of digests.
/// @dev Anchoring is built to cost at most 30,000 gas per transaction (3 gas per record at 10,000 records),
///      so roots are not stored per root: a fresh storage slot alone would cost ~22,100 gas. Instead each
///      authorised anchorer has one slot holding a running hash chain
///      `head' = keccak256(abi.encodePacked(head, root, leafCount))`, whose non-zero value doubles as the
///      authorisation flag, and every anchoring emits an `Anchored` event indexed by root. When a root was
///      anchored is read from the block number and timestamp of that event's log; the head chain lets
///      anyone replaying the events prove none were dropped or reordered.
///
///      A root is never anchored twice: the contract cannot check this within the gas budget, so the hub
///      guarantees it (one signed transaction per batch), and if a root ever appears in more than one
///      `Anchored` event, the EARLIEST one is authoritative.
///
///      A member needs no gas to revoke: `revokeBySignature` takes its EIP-712 signed `Revoke` message
///      from anyone (the hub relays it and pays), under the same membership check and with the same event
///      as `revoke`. Replays are refused by a per-member nonce, a deadline and the chain id and address in
///      the EIP-712 domain.
contract AnchorRegistry is MemberSignatures {
    /// @notice EIP-712 type of a relayed revocation (sdk/relay.ts builds the same).
    /// @dev The type string is hashed at compile time: its length costs no gas.
    bytes32 public constant REVOKE_TYPEHASH =
        // solhint-disable-next-line gas-small-strings
        keccak256("Revoke(address revoker,bytes32 digest,string reason,uint256 nonce,uint256 deadline)");

    /// @notice The account allowed to manage anchorers.
    address public admin;

    /// @notice The ParticipantRegistry consulted for revocation rights.
    /// @dev Not SNAKE_CASE: the public getter's name is part of the ABI the SDK's verifiers call.
    address public immutable participantRegistry; // solhint-disable-line immutable-vars-naming

    // Zero = not an anchorer; otherwise the anchorer's current hash-chain head.
    mapping(address anchorer => bytes32 head) private _heads;

    mapping(bytes32 orgId => mapping(bytes32 digest => uint256 timestamp)) private _revokedAt;

    /// @notice The admin role changed hands.
    /// @param previousAdmin The former admin (zero at deployment).
    /// @param newAdmin The new admin.
    event AdminTransferred(address indexed previousAdmin, address indexed newAdmin);
    /// @notice An account was allowed to anchor, or no longer.
    /// @param anchorer The account.
    /// @param allowed Whether it may anchor now.
    /// @param head Its hash-chain head from now on (zero when removed).
    event AnchorerChanged(address indexed anchorer, bool allowed, bytes32 head);
    /// @notice A batch's Merkle root was anchored.
    /// @param root The batch's Merkle root.
    /// @param anchorer The account that anchored it.
    /// @param leafCount Records in the batch.
    /// @param head The anchorer's hash-chain head after this batch.
    event Anchored(bytes32 indexed root, address indexed anchorer, uint256 leafCount, bytes32 head);
    /// @notice An organisation revoked one of its records' digests.
    /// @param digest The record digest.
    /// @param orgId The revoking organisation.
    /// @param revoker The member key that revoked (or signed the relayed revocation).
    /// @param reason Why, in the organisation's words.
    event Revoked(bytes32 indexed digest, bytes32 indexed orgId, address revoker, string reason);

    error NotAdmin();
    error ZeroAddress();
    error NotAnchorer(address account);
    error EmptyRoot();
    error EmptyBatch();
    error NotActiveMember(address account);
    error AlreadyRevoked(bytes32 orgId, bytes32 digest);

    modifier onlyAdmin() {
        if (msg.sender != admin) revert NotAdmin();
        _;
    }

    /// @notice Deploys the registry with the deployer as admin.
    /// @param participantRegistry_ Address of the ParticipantRegistry used to authorise revocations.
    constructor(address participantRegistry_) MemberSignatures("cargoproof AnchorRegistry") {
        if (participantRegistry_ == address(0)) revert ZeroAddress();
        participantRegistry = participantRegistry_;
        admin = msg.sender;
        emit AdminTransferred(address(0), msg.sender);
    }

    /// @notice Hands the admin role to another account.
    /// @param newAdmin The new admin; must not be the zero address.
    function transferAdmin(address newAdmin) external onlyAdmin {
        if (newAdmin == address(0)) revert ZeroAddress();
        emit AdminTransferred(admin, newAdmin);
        admin = newAdmin;
    }

    /// @notice Authorises or de-authorises an account to anchor roots.
    /// @dev Allowing an account that has no head starts its chain at the genesis
    ///      keccak256(abi.encode(address(this), anchorer)); allowing an existing anchorer keeps its head.
    ///      Removing deletes the head, so a later re-admission restarts from genesis.
    /// @param anchorer The account.
    /// @param allowed True to authorise, false to remove.
    function setAnchorer(address anchorer, bool allowed) external onlyAdmin {
        if (anchorer == address(0)) revert ZeroAddress();
        bytes32 head = _heads[anchorer];
        if (allowed) {
            if (head == bytes32(0)) {
                head = keccak256(abi.encode(address(this), anchorer));
                _heads[anchorer] = head;
            }
        } else {
            head = bytes32(0);
            delete _heads[anchorer];
        }
        emit AnchorerChanged(anchorer, allowed, head);
    }

    /// @notice The anchorer's current hash-chain head.
    /// @param anchorer The account.
    /// @return The head, or zero if the account is not an anchorer.
    function headOf(address anchorer) external view returns (bytes32) {
        return _heads[anchorer];
    }

    /// @notice Anchors the Merkle root of a batch of `leafCount` record digests.
    /// @dev Advances the caller's chain to keccak256(abi.encodePacked(head, root, leafCount)) and emits
    ///      `Anchored`. Exactly one SLOAD and one SSTORE of the same warm slot; the rest is in assembly to
    ///      avoid memory-allocation overhead. Does not reject a repeated root (see the contract notes).
    ///      Measured ~29,370 gas per transaction, nearly all fixed cost: 21,000 base, ~730 calldata,
    ///      2,100 cold SLOAD, 2,900 SSTORE of the non-zero slot, ~2,000 LOG3; ~600 for everything else.
    /// @param root The batch's Merkle root (non-zero).
    /// @param leafCount Number of records in the batch (non-zero).
    function anchor(bytes32 root, uint256 leafCount) external {
        bytes4 notAnchorer = NotAnchorer.selector;
        bytes4 emptyRoot = EmptyRoot.selector;
        bytes4 emptyBatch = EmptyBatch.selector;
        bytes32 anchoredTopic = Anchored.selector;
        // Assembly to stay within the gas budget (see @dev above).
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            // Slot of _heads[caller()] per the Solidity mapping layout.
            mstore(0x00, caller())
            mstore(0x20, _heads.slot)
            let slot := keccak256(0x00, 0x40)
            let head := sload(slot)
            if iszero(head) {
                mstore(0x00, notAnchorer)
                mstore(0x04, caller())
                revert(0x00, 0x24)
            }
            if iszero(root) {
                mstore(0x00, emptyRoot)
                revert(0x00, 0x04)
            }
            if iszero(leafCount) {
                mstore(0x00, emptyBatch)
                revert(0x00, 0x04)
            }
            // Hash head ‖ root ‖ leafCount (abi.encodePacked of three 32-byte words) in temporary memory
            // past the free-memory pointer, without allocating it.
            let m := mload(0x40)
            mstore(m, head)
            mstore(add(m, 0x20), root)
            mstore(add(m, 0x40), leafCount)
            let newHead := keccak256(m, 0x60)
            sstore(slot, newHead)
            // Event data (leafCount, head) in scratch space.
            mstore(0x00, leafCount)
            mstore(0x20, newHead)
            log3(0x00, 0x40, anchoredTopic, root, caller())
        }
    }

    /// @notice Revokes a record digest on behalf of the caller's organisation.
    /// @dev Revocations are keyed by (orgId, digest), the org being the caller's. The chain does not know
    ///      who published a digest; verifiers only consult the publisher's own entry, so a revocation by
    ///      any other organisation lands under that other organisation and has no effect on the record.
    ///      That is how "only the digest's publisher can revoke it" holds.
    /// @param digest The record digest to revoke.
    /// @param reason Free-text reason, only emitted.
    function revoke(bytes32 digest, string calldata reason) external {
        _revoke(msg.sender, digest, reason);
    }

    /// @notice Revokes a record digest on behalf of `revoker`'s organisation, as `revoker` signed it
    ///         (EIP-712 `Revoke`); anyone may send it and pay.
    /// @dev Same rules and the same `Revoked` event as `revoke` called by `revoker` now: the signature only
    ///      stands in for msg.sender. `nonce` must be `nonces(revoker)` (each signature is used once, in
    ///      order); the domain's chain id and contract address keep it off other chains and deployments.
    /// @param revoker The member key that signed.
    /// @param digest The record digest to revoke.
    /// @param reason Free-text reason, only emitted.
    /// @param nonce The revoker's current nonce, as signed.
    /// @param deadline Last block timestamp at which the signature may be used.
    /// @param signature The 65-byte ECDSA signature of the typed data.
    function revokeBySignature(
        address revoker,
        bytes32 digest,
        string calldata reason,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(abi.encode(REVOKE_TYPEHASH, revoker, digest, keccak256(bytes(reason)), nonce, deadline));
        _useSignature(revoker, structHash, nonce, deadline, signature);
        _revoke(revoker, digest, reason);
    }

    /// @dev The revocation itself, by `revoker` (the caller, or the signer of a relayed one).
    function _revoke(address revoker, bytes32 digest, string calldata reason) private {
        IParticipantRegistryView registry = IParticipantRegistryView(participantRegistry);
        bytes32 orgId = registry.orgOf(revoker);
        if (orgId == bytes32(0) || !registry.isActiveSigner(orgId, revoker, block.timestamp)) {
            revert NotActiveMember(revoker);
        }
        if (_revokedAt[orgId][digest] != 0) revert AlreadyRevoked(orgId, digest);
        _revokedAt[orgId][digest] = block.timestamp;
        emit Revoked(digest, orgId, revoker, reason);
    }

    /// @notice When an organisation revoked a digest.
    /// @param orgId The revoking organisation (a verifier passes the record's publisher).
    /// @param digest The record digest.
    /// @return The revocation timestamp, or 0 if not revoked by that organisation.
    function revokedAt(bytes32 orgId, bytes32 digest) external view returns (uint256) {
        return _revokedAt[orgId][digest];
    }
}
