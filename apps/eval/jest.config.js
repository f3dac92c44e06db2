module.exports = { displayName: 'eval', preset: '../../jest.preset.js', rootDir: '.', testEnvironment: '<rootDir>/../../libs/onnx-lm/jest-env.js' };
