// hyparquet and its compressors are ESM-only: transform them to CommonJS like the preset does
// for p-limit and eld.
module.exports = {
  displayName: 'shards',
  preset: '../../jest.preset.js',
  rootDir: '.',
  transformIgnorePatterns: ['/node_modules/(?!(p-limit|yocto-queue|eld|hyparquet|hyparquet-compressors|hysnappy|fzstd)/)'],
};
