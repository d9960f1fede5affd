import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "artifacts/**",
      "cache/**",
      "typechain-types/**",
      "server/db/.generated/**",
      "dist/**",
      "**/dist/**",
      "**/*.mjs",
      "**/*.cjs",
      "**/*.js",
    ],
  },
  {
    files: ["**/*.ts"],
    extends: [tseslint.configs.recommended],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: false }],
      // A `let` that a closure declared before it reads (a shutdown handler registered before start-up) stays `let`.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
      // `_`-named bindings are the ones left out on purpose (a rest copy without some keys, an unused parameter).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },
);
