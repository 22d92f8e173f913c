SELECT dispatch_arrive($1, $2, $3, $4);
