// The layout worker: ELK's own worker script, which answers elk-api's `layout` messages. Loading
// it only here keeps ELK's 1.6 MB out of the page's main bundle and its work off the main thread.
import 'elkjs/lib/elk-worker.min.js';
