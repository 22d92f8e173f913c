SELECT dispatch_assign($1, $2, $3, $4, $5::real);
