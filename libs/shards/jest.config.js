module.exports = { displayName: 'shards', preset: '../../jest.preset.js', rootDir: '.' };
