module.exports = { displayName: 'onnx-lm', preset: '../../jest.preset.js', rootDir: '.', testEnvironment: '<rootDir>/jest-env.js' };
