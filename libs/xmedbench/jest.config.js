module.exports = { displayName: 'xmedbench', preset: '../../jest.preset.js', rootDir: '.', testEnvironment: '<rootDir>/../onnx-lm/jest-env.js' };
