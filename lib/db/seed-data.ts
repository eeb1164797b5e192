// Word lists for the demo data of `npm run cli -- seed`: people, their companies and Atlassian sites.
export const FIRST_NAMES = [
  'Ada', 'Alan', 'Amara', 'Ana', 'Arjun', 'Ben', 'Carla', 'Chen', 'Dara', 'David', 'Elena', 'Emeka', 'Fatima', 'Felix',
  'Grace', 'Hana', 'Hugo', 'Ines', 'Ivan', 'Jonas', 'Kai', 'Lara', 'Leon', 'Lina', 'Luca', 'Maya', 'Mei', 'Nadia',
  'Noah', 'Olga', 'Omar', 'Priya', 'Rafael', 'Rosa', 'Sami', 'Sofia', 'Tariq', 'Uma', 'Yara', 'Zoe',
];

export const LAST_NAMES = [
  'Abe', 'Adeyemi', 'Alvarez', 'Bauer', 'Bianchi', 'Brown', 'Chowdhury', 'Costa', 'Dubois', 'Eriksson', 'Fischer',
  'Garcia', 'Gupta', 'Haddad', 'Hansen', 'Ibrahim', 'Ito', 'Jensen', 'Jones', 'Kim', 'Kowalski', 'Larsen', 'Lee',
  'Lopez', 'Martin', 'Meyer', 'Moreau', 'Muller', 'Nakamura', 'Nguyen', 'Novak', 'Okafor', 'Olsen', 'Patel',
  'Petrov', 'Quinn', 'Rossi', 'Santos', 'Schmidt', 'Silva', 'Singh', 'Smith', 'Suzuki', 'Tanaka', 'Taylor',
  'Varga', 'Wagner', 'Wang', 'Weber', 'Zhang',
];

export const EMAIL_DOMAINS = ['acme.test', 'globex.test', 'initech.test', 'umbrella.test', 'hooli.test', 'stark.test', 'wayne.test', 'tyrell.test'];

export const SITE_ADJECTIVES = [
  'Amber', 'Blue', 'Bright', 'Cedar', 'Coral', 'Crimson', 'Golden', 'Granite', 'Green', 'Harbor', 'Iron', 'Jade',
  'Lunar', 'Maple', 'North', 'Ocean', 'Polar', 'Quiet', 'Rapid', 'Silver', 'Solar', 'Stone', 'Swift', 'Urban', 'Wild',
];

export const SITE_NOUNS = [
  'Analytics', 'Bank', 'Bay', 'Bridge', 'Cloud', 'Dynamics', 'Energy', 'Foods', 'Forge', 'Health', 'Labs', 'Logistics',
  'Media', 'Motors', 'Networks', 'Pharma', 'Retail', 'Robotics', 'Systems', 'Ventures',
];

export const TRANSIENT_CODES = ['timeout', 'server_error', 'rate_limited', 'network'];
