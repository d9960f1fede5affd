// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/// @title MerkleProofCheck
/// @notice Test-only wrapper exposing OpenZeppelin's proof check, to show that off-chain proofs
///         (leaf = keccak256(keccak256(digest)), sorted pairs) verify with the standard on-chain code.
contract MerkleProofCheck {
    /// @notice Checks a Merkle inclusion proof with OpenZeppelin's `MerkleProof.verifyCalldata`.
    /// @param proof Sibling hashes from leaf to root.
    /// @param root The Merkle root.
    /// @param leaf The leaf hash (not the raw digest).
    /// @return True if the proof links `leaf` to `root`.
    function verify(bytes32[] calldata proof, bytes32 root, bytes32 leaf) external pure returns (bool) {
        return MerkleProof.verifyCalldata(proof, root, leaf);
    }
}
