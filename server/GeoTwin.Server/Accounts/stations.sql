SELECT code FROM jurisdictions WHERE kind = 'station' ORDER BY code;
