// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.28;

/// @title StoredRootAnchor
/// @notice Benchmark-only alternative to AnchorRegistry that stores every root in a mapping
///         (root => timestamp) and rejects duplicates. Not deployed by the hub; it exists to show
///         what the per-root storage design would cost in gas.
contract StoredRootAnchor {
    /// @notice The account allowed to manage anchorers.
    /// @dev Named as AnchorRegistry's `admin` getter, which the benchmark calls on both.
    address public immutable admin; // solhint-disable-line immutable-vars-naming

    mapping(address account => bool) private _anchorers;
    mapping(bytes32 root => uint256 timestamp) private _anchoredAt;

    /// @notice An account was allowed to anchor, or no longer.
    /// @param anchorer The account.
    /// @param allowed Whether it may anchor now.
    event AnchorerChanged(address indexed anchorer, bool allowed);
    /// @notice A batch's Merkle root was anchored (and stored).
    /// @param root The batch's Merkle root.
    /// @param anchorer The account that anchored it.
    /// @param leafCount Records in the batch.
    event Anchored(bytes32 indexed root, address indexed anchorer, uint256 leafCount);

    error NotAdmin();
    error NotAnchorer(address account);
    error EmptyRoot();
    error EmptyBatch();
    error AlreadyAnchored(bytes32 root);

    /// @notice Deploys with the deployer as admin.
    constructor() {
        admin = msg.sender;
    }

    /// @notice Authorises or de-authorises an anchorer.
    /// @param anchorer The account.
    /// @param allowed True to authorise, false to remove.
    function setAnchorer(address anchorer, bool allowed) external {
        if (msg.sender != admin) revert NotAdmin();
        _anchorers[anchorer] = allowed;
        emit AnchorerChanged(anchorer, allowed);
    }

    /// @notice Stores a batch root with the current time; a root can be anchored once.
    /// @param root The batch's Merkle root (non-zero).
    /// @param leafCount Number of records in the batch (non-zero).
    function anchor(bytes32 root, uint256 leafCount) external {
        if (!_anchorers[msg.sender]) revert NotAnchorer(msg.sender);
        if (root == bytes32(0)) revert EmptyRoot();
        if (leafCount == 0) revert EmptyBatch();
        if (_anchoredAt[root] != 0) revert AlreadyAnchored(root);
        _anchoredAt[root] = block.timestamp;
        emit Anchored(root, msg.sender, leafCount);
    }

    /// @notice When a root was anchored.
    /// @param root A batch root.
    /// @return The anchoring timestamp, or 0 if never anchored.
    function anchoredAt(bytes32 root) external view returns (uint256) {
        return _anchoredAt[root];
    }
}
