// Package recommend computes "similar releases": a Korean-aware tokenizer
// (Hangul syllable bigrams, lower-cased Latin words, numbers), a TF-IDF model
// over weighted release fields (sublinear tf, smoothed idf, L2 norm), and an
// exact cosine top-k search over a sparse inverted index with score-bound
// pruning, so no n×n matrix is ever built.
//
// The compute-similar job (Run) reads releases through catalog.ReleaseSource
// and writes results through the SimilarSink and MartWriter interfaces; it
// never imports a driver. cmd/marquee wires MongoDB and the lake.
//
// Tokenize and Tokenizer are also used outside this package (reindex-es
// indexes a Hangul-bigram field with them), so their output is a contract:
// changing it changes both the similarity model and the search field.
package recommend
