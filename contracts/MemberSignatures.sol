// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

/// @title MemberSignatures
/// @notice Relayed member actions (members need no gas): a member key signs an EIP-712 message, anyone
///         submits it and pays, and the contract acts as if that key had called it.
/// @dev The one check of such a signature for every registry that takes them (sdk/relay.ts signs them):
///      the deadline, the signer's nonce (each signature is used once, in order) and the signature over
///      the typed data under this contract's domain, whose chain id and address keep it off other chains
///      and deployments.
abstract contract MemberSignatures is EIP712, Nonces {
    error SignatureExpired(uint256 deadline);
    error InvalidSignature(address signer);

    /// @notice Sets the EIP-712 domain.
    /// @param name The EIP-712 domain's name (version "1").
    constructor(string memory name) EIP712(name, "1") {}

    /// @notice The EIP-712 domain separator of this chain and deployment.
    /// @return The separator.
    /// @dev Not mixedCase: the name EIP-2612 and wallets look for.
    function DOMAIN_SEPARATOR() external view returns (bytes32) { // solhint-disable-line func-name-mixedcase
        return _domainSeparatorV4();
    }

    /// @dev Uses `signer`'s signature of the typed struct `structHash` (which includes `nonce` and
    ///      `deadline`), or reverts: SignatureExpired, InvalidAccountNonce, InvalidSignature.
    function _useSignature(address signer, bytes32 structHash, uint256 nonce, uint256 deadline, bytes calldata signature) internal {
        if (block.timestamp > deadline) revert SignatureExpired(deadline);
        _useCheckedNonce(signer, nonce);
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecover(_hashTypedDataV4(structHash), signature);
        if (err != ECDSA.RecoverError.NoError || recovered != signer) revert InvalidSignature(signer);
    }
}
