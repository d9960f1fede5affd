// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.28;

/// @title IParticipantRegistryView
/// @notice The ParticipantRegistry views the other registries consult: who operates the consortium,
///         which organisation a key belongs to, and whether that key could sign for it at a time.
interface IParticipantRegistryView {
    /// @notice The consortium operator.
    /// @return The operator's account.
    function operator() external view returns (address);

    /// @notice The organisation a signing key belongs to (forever, once admitted).
    /// @param signer A signing address.
    /// @return The organisation id, or zero if the key was never admitted.
    function orgOf(address signer) external view returns (bytes32);

    /// @notice Whether `signer` was the organisation's key, and the organisation not suspended, at `at`.
    /// @param orgId The organisation.
    /// @param signer A signing address.
    /// @param at A unix time.
    /// @return True if it could sign for the organisation then.
    function isActiveSigner(bytes32 orgId, address signer, uint256 at) external view returns (bool);
}
