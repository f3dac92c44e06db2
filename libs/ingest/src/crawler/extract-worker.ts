// Entry of the crawler's extraction threads when built on its own (tools/build/build.mjs writes
// it to dist/workers/crawl-extract.js): loading it runs extract-pool's thread set-up and nothing
// else, so a thread starts faster than one loading the whole app bundle.
import './extract-pool';
