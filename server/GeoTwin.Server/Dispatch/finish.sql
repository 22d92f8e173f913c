SELECT dispatch_finish($1, $2, $3, $4, $5);
