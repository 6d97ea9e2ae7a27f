package results

import (
	"io"

	"github.com/parquet-go/parquet-go"
)

// ParquetCreatedBy is the created_by field of every Parquet file Caravan
// writes. It is deliberately free of version and build details so that the
// same results give the same bytes from any build.
const ParquetCreatedBy = "caravan"

type createdBy string

func (c createdBy) ConfigureWriter(cfg *parquet.WriterConfig) { cfg.CreatedBy = string(c) }

// parquetOptions are the options shared by every Parquet file Caravan
// writes: Snappy compression, a fixed created_by, one row group, and the
// given key/value metadata (written sorted by key).
func parquetOptions(meta map[string]string) []parquet.WriterOption {
	opts := []parquet.WriterOption{
		parquet.Compression(&parquet.Snappy),
		createdBy(ParquetCreatedBy),
	}
	for k, v := range meta {
		opts = append(opts, parquet.KeyValueMetadata(k, v))
	}
	return opts
}

// WriteParquet writes rows of a struct type as one Parquet file (column names
// from `parquet:"..."` tags), with key/value metadata. The output depends only
// on rows and meta.
func WriteParquet[T any](w io.Writer, rows []T, meta map[string]string) error {
	pw := parquet.NewGenericWriter[T](w, parquetOptions(meta)...)
	if _, err := pw.Write(rows); err != nil {
		return err
	}
	return pw.Close()
}

// WriteParquetSchema writes rows (values of a struct type matching schema,
// e.g. built with reflect.StructOf) as one Parquet file.
func WriteParquetSchema(w io.Writer, schema *parquet.Schema, rows []any, meta map[string]string) error {
	pw := parquet.NewWriter(w, append(parquetOptions(meta), schema)...)
	for _, r := range rows {
		if err := pw.Write(r); err != nil {
			return err
		}
	}
	return pw.Close()
}
