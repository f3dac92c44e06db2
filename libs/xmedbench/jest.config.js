module.exports = { displayName: 'xmedbench', preset: '../../jest.preset.js', rootDir: '.' };
