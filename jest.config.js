// One jest run, three projects. Integration and e2e tests use the real local Postgres and Kafka
// (scripts/infra.sh); each jest worker gets its own database (test/setup-db.js).
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
};
const common = {
  transform,
  testEnvironment: 'node',
  // Read workspace packages from source (the "@cs/source" export condition), as typecheck does.
  testEnvironmentOptions: { customExportConditions: ['@cs/source', 'node', 'require', 'default'] },
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/', '<rootDir>/.cache/'],
};
module.exports = {
  testTimeout: 30_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,packages,tools}/*/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'], testPathIgnorePatterns: ['\\.int\\.test\\.ts$'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,packages,tools}/*/src/**/*.int.test.ts', '<rootDir>/{apps,packages,tools}/*/test/**/*.int.test.ts'],
      globalSetup: '<rootDir>/test/global-setup.js',
      globalTeardown: '<rootDir>/test/global-teardown.js',
      setupFiles: ['<rootDir>/test/setup-env.js'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/e2e/**/*.e2e.test.ts'],
      globalSetup: '<rootDir>/test/global-setup.js',
      globalTeardown: '<rootDir>/test/global-teardown.js',
      setupFiles: ['<rootDir>/test/setup-env.js'],
    },
  ],
};
