wrk.method = "POST"
wrk.body = '{"instances": [[1.0, 2.0, 3.0]]}'
wrk.headers["Content-Type"] = "application/json"
