package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/internal/store"
)

func main() {
	ctx := context.Background()
	db, err := store.Open(ctx, os.Args[1])
	if err != nil {
		panic(err)
	}
	for _, q := range os.Args[2:] {
		if strings.HasPrefix(q, "CREATE") || strings.HasPrefix(q, "ANALYZE") || strings.HasPrefix(q, "DROP") {
			t := time.Now()
			_, err := db.Writer().ExecContext(ctx, q)
			fmt.Println("exec", time.Since(t), err)
			continue
		}
		for i := 0; i < 3; i++ {
			t := time.Now()
			rows, err := db.Reader().QueryContext(ctx, q)
			if err != nil {
				fmt.Println("ERR", err)
				break
			}
			n := 0
			var first []any
			cols, _ := rows.Columns()
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				rows.Scan(ptrs...)
				if n == 0 {
					first = vals
				}
				n++
			}
			rows.Close()
			fmt.Printf("%v rows=%d first=%v\n", time.Since(t), n, first)
		}
	}
}
